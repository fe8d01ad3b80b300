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
//     folder renamed into place).
//   - Tables: [PinnedMarkdown], [ReportMarkdown] (one theorem check),
//     [WeakMarkdown].
//   - Figures (gonum/plot, SVG and PNG): [Figure1Figure], [BoundFigure]
//     (left-hand side against the bound over time), [FanFigure] (quantiles
//     of f - f*), [WeakFigure] (err(eta) on log-log axes).
package reports
