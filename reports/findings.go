package reports

import (
	"fmt"
	"io"

	"github.com/sdeverify/sdeverify/theorems/studies"
)

// UnpinnedFindingsMarkdown writes the registered findings that no pinned
// case in rs reproduces (a Figure 1 claim, the weak studies), each with
// its explanation and Evidence: FINDINGS.md lists them after the pinned
// ones (`sdeverify pinned -md` over the whole set).
func UnpinnedFindingsMarkdown(w io.Writer, rs []studies.PinnedResult) {
	pinned := map[string]bool{}
	for _, r := range rs {
		if r.Finding != nil {
			pinned[r.Finding.ID] = true
		}
	}
	for _, f := range studies.Findings {
		if !pinned[f.ID] && f.Evidence != "" {
			fmt.Fprintf(w, "\n### %s: %s\n\n%s\n\nEvidence (no pinned case reproduces it): %s\n", f.ID, f.Title, f.Explanation, f.Evidence)
		}
	}
}
