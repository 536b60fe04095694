// .Files: the chart's files outside templates/, read the way Helm's .Files.Get reads them.
package main

type Files map[string][]byte

// Get returns the file's content, or "" when the chart has no such file.
func (f Files) Get(name string) string { return string(f[name]) }

func (f Files) GetBytes(name string) []byte { return f[name] }
