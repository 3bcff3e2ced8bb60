(module (func)) (; never closed
