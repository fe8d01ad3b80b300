// Package reports renders recorded results: tables, figures and the
// verification report. It never simulates; it only writes what the
// theorems, the studies and the engine recorded.
//
// # Index
//
//   - The verification report: a [Report] (Figure 1, the pinned set, a
//     campaign, weak-error studies, the power table, the findings and a
//     [Summary]) is written by [Write] as index.html, report.md,
//     report.json (schema [SchemaVersion], documented in SCHEMA.md) and
//     figures/, whole or not at all (internal/atomicfile and a temporary
//     folder renamed into place). It reads top-down: [Report.StatusLine]
//     (new violations apart from documented findings, counting theorem
//     checks, one per configuration, not their checkpoints), the table of
//     the paper's claims ([Report.TheoremClaims], [Report.Figure1Claims]),
//     the findings, then the details (folded in HTML).
//   - Tables: [PinnedMarkdown], [PinnedTable], [ReportMarkdown] (one
//     theorem check), [WeakMarkdown]; [Plain] turns them into aligned
//     text for a terminal.
//   - Numbers for people (format.go, this package's names for
//     internal/format, which the theorems' texts use too): [Num], [Num2],
//     [Param], [Fixed], [PlusMinus], [WithErr], [Interval], [List],
//     [Words], [Outcomes], [Percent]; a missing value is [Missing],
//     infinity "∞".
//   - Figures (gonum/plot, SVG and PNG): [Figure1Figure], [BoundFigure]
//     (left-hand side against the bound over time), [FanFigure] (quantiles
//     of f - f*), [WeakFigure] (err(eta) on log-log axes), 30 cm wide
//     (the report's column) with text at 10.5-12 pt; values above an
//     axis, infinite ones included, are triangles on its top edge, named
//     in the legend. Golden images in testdata/ keep them
//     (go test ./reports -run Golden -update rewrites them).
package reports
