package atomicfile_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sdeverify/sdeverify/internal/atomicfile"
)

func TestWriteFileWholeOrNothing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, "out.json")
	require.NoError(t, atomicfile.Write(p, []byte("one")))
	require.NoError(t, atomicfile.Write(p, []byte("two")))
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	require.Equal(t, "two", string(b))
	// A missing directory fails and leaves nothing behind.
	require.Error(t, atomicfile.Write(filepath.Join(dir, "no", "x.json"), []byte("x")))
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, ents, 1, "no temporary file may remain")
}
