(module (func (result f32) (f32.const 0x1p128)))
