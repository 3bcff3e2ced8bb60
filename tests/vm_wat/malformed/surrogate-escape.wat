(module (func (export "\u{d800}")))
