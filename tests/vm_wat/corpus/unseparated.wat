(module (data"a"))
