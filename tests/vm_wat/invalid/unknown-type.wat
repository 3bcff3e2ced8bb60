;; Reads as text (an undefined numeric type index is not a syntax error), then fails validation.
(module (func (type 7)))
