// Package studies runs the paper's theorems as studies: Figure 1's six
// panels and claims, the pinned set of theorem checks with their expected
// outcomes, a random campaign over generated configurations, and the
// registry of the suite's findings.
//
// # Index
//
//   - Figure 1 (App. B): [Figure1] runs the panels at a [Scale]
//     ([SmallScale], [PaperScale]) and decides each [Claim] on the discrete
//     method and on the SDE; [Figure1Panels] builds the configurations.
//   - The pinned set: [Pinned] returns each [Case] with the outcome it
//     expects and why (never derived from running the code); [Case.Run]
//     checks one at [PinnedAlpha] and returns a [PinnedResult].
//   - The campaign: [GenerateCase] draws a configuration inside a theorem's
//     hypotheses, [Expect] says which documented [Regime] it falls in, and
//     [Campaign] runs a shard of them.
//   - The findings: [Findings] lists every [Finding] (F1-F8); FINDINGS.md is
//     generated from it with `sdeverify pinned -md FINDINGS.body.md`.
//
// References: paper Sec. 4.2, App. B; docs/math.md sections 3, 4 and 6.
package studies
