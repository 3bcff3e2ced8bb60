(module (func (nop)
