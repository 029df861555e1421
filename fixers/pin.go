package fixers

// imageRules returns the rules of the images and pinning (CF0xx) family.
func imageRules() []*Rule { return nil } // TODO(#3)

// ImagesConfig configures the images and pinning (CF0xx) rules; the zero value means the defaults.
type ImagesConfig struct{}
