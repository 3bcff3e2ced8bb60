(module (func (export "\ed\a0\80")))
