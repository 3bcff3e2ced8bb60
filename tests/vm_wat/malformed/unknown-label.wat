(module (func (br $nowhere)))
