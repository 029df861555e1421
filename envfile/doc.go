// Package envfile reads a compose project's .env file and edits variable
// values on its original bytes. Values are read by compose-go's dotenv (what
// docker compose itself reads); this package only locates each variable's
// last assignment in the source, so an edit replaces exactly the value's
// bytes and keeps quotes, comments, `export`, blank lines and CRLF line
// endings. A variable whose located text does not decode to what dotenv
// reads (interpolation, escapes, multi-line values) is never edited.
//
// It deliberately knows nothing about images or registries: package
// pipeline decides what to write.
package envfile
