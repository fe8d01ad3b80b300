// Package reports renders recorded results: tables, figures and the
// verification report. It never simulates; it only writes what the
// theorems and the engine recorded. Every file it writes is written whole
// or not at all (WriteFile).
package reports
