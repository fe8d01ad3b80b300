package model

import "github.com/sdeverify/sdeverify/model/internal/kit"

// FieldError reports a parameter that failed validation. Field is the
// parameter's name as a user writes it (for example "agents[2].noise.nu").
type FieldError = kit.FieldError

// Invalid returns a *FieldError: field (as a user writes it) has value,
// which breaks rule.
func Invalid(field string, value any, rule string) error { return kit.Invalid(field, value, rule) }

// Prefix returns err with its field name prefixed by prefix and a dot, when
// err is a *FieldError; other errors are wrapped with the prefix.
func Prefix(prefix string, err error) error { return kit.Prefix(prefix, err) }
