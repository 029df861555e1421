// Package imagematch matches image references against the glob patterns of
// .composefix.yaml (ignore_images, per-image policies, classes and
// healthchecks). config validates the patterns and fixers applies them;
// neither may import the other, so the one definition lives here.
package imagematch
