package pipeline

// TreeDropped reports whether f's run left its document's tree gone, as a
// large file fixed alone does (fixers.Options.TreeUnread), for the tests
// of package pipeline_test; f.Document gives it back.
func (f *File) TreeDropped() bool { return f.doc != nil && f.doc.TreeDropped() }
