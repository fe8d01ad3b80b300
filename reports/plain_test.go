package reports

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestPlain: a Markdown table becomes aligned columns with a rule under
// the header, escaped pipes unescaped, numbers to the right; the text
// around it is kept, without backticks.
func TestPlain(t *testing.T) {
	md := "**Title** `code`.\n\n| name | value |\n|---|---|\n| \\|\\|x\\|\\|^2 | 1.5 |\n| long name here | 10 |\n\nReplay: `sdeverify verify -only 3`\n"
	want := "Title code.\n\n" +
		"name            value\n" +
		"--------------  -----\n" +
		"||x||^2           1.5\n" +
		"long name here     10\n" +
		"\nReplay: sdeverify verify -only 3\n"
	require.Equal(t, want, string(Plain([]byte(md))))
	// No table: unchanged but for backticks.
	require.Equal(t, "a\nb\n", string(Plain([]byte("a\nb\n"))))
}
