package reports

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Plain turns Markdown into text for a terminal: every table becomes
// columns aligned with spaces (numbers to the right), a rule of dashes under
// its header and no escaped pipes; code and bold markers are dropped.
// Everything else is kept as it is. Files get the Markdown itself.
func Plain(md []byte) []byte {
	lines := strings.Split(string(md), "\n")
	var out bytes.Buffer
	for i := 0; i < len(lines); {
		if !isRow(lines[i]) {
			out.WriteString(plainText.Replace(lines[i]))
			if i < len(lines)-1 {
				out.WriteByte('\n')
			}
			i++
			continue
		}
		var rows [][]string
		sep := -1
		for ; i < len(lines) && isRow(lines[i]); i++ {
			cells := splitRow(lines[i])
			if isRule(cells) {
				sep = len(rows)
				continue
			}
			rows = append(rows, cells)
		}
		writeAligned(&out, rows, sep)
	}
	return out.Bytes()
}

// plainText drops Markdown's code and bold markers.
var plainText = strings.NewReplacer("`", "", "**", "")

func isRow(l string) bool { return strings.HasPrefix(strings.TrimSpace(l), "|") }

// splitRow splits a Markdown table row on the pipes that are not escaped.
func splitRow(l string) []string {
	l = strings.TrimSpace(l)
	l = strings.TrimPrefix(l, "|")
	if strings.HasSuffix(l, "|") && !strings.HasSuffix(l, `\|`) {
		l = l[:len(l)-1]
	}
	var cells []string
	var cur strings.Builder
	for j := 0; j < len(l); j++ {
		switch {
		case l[j] == '\\' && j+1 < len(l) && l[j+1] == '|':
			cur.WriteByte('|')
			j++
		case l[j] == '|':
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(l[j])
		}
	}
	cells = append(cells, strings.TrimSpace(cur.String()))
	for k := range cells {
		cells[k] = plainText.Replace(cells[k])
	}
	return cells
}

// isRule reports whether the cells are a header rule (---, :--:).
func isRule(cells []string) bool {
	for _, c := range cells {
		if strings.Trim(c, "-: ") != "" || !strings.Contains(c, "-") {
			return false
		}
	}
	return len(cells) > 0
}

// numeric reports whether a cell reads as a number (possibly with a
// trailing mark or an error in parentheses), to align it to the right.
func numeric(c string) bool {
	f := strings.Fields(c)
	if len(f) == 0 {
		return false
	}
	_, err := strconv.ParseFloat(strings.TrimRight(f[0], "*x%"), 64)
	return err == nil
}

func writeAligned(out *bytes.Buffer, rows [][]string, sep int) {
	ncol := 0
	for _, r := range rows {
		ncol = max(ncol, len(r))
	}
	width := make([]int, ncol)
	for _, r := range rows {
		for k, c := range r {
			width[k] = max(width[k], utf8.RuneCountInString(c))
		}
	}
	for ri, r := range rows {
		if ri == sep {
			for k := range width {
				if k > 0 {
					out.WriteString("  ")
				}
				out.WriteString(strings.Repeat("-", width[k]))
			}
			out.WriteByte('\n')
		}
		var line strings.Builder
		for k := range ncol {
			c := ""
			if k < len(r) {
				c = r[k]
			}
			pad := strings.Repeat(" ", width[k]-utf8.RuneCountInString(c))
			if k > 0 {
				line.WriteString("  ")
			}
			if numeric(c) && ri != 0 {
				line.WriteString(pad + c)
			} else {
				line.WriteString(c + pad)
			}
		}
		out.WriteString(strings.TrimRight(line.String(), " "))
		out.WriteByte('\n')
	}
}
