package main

import (
	"bytes"
	"crypto/sha256"
	"encoding"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/sdeverify/sdeverify/internal/atomicfile"
	"github.com/sdeverify/sdeverify/theorems/studies"
)

// A campaign shard file, written by 'verify -json' and read by 'merge'
// and 'verify -resume', is one JSON object:
//
//	{"format": "sdeverify campaign shard", "schema": 3,
//	 "campaign": {seed, n, paths, alpha, case size, suite, settings_hash},
//	 "shard": {"index": i, "count": k}, "cases": [...]}
//
// JSON has no infinity or NaN: in a shard file every non-finite number is
// the string "+Inf", "-Inf" or "NaN" in place of the number, so that
// merge and -resume read back the very values the run computed (bit for
// bit for every finite number: Go writes the shortest decimal that reads
// back to the same float64).

const (
	shardFormat = "sdeverify campaign shard"
	// shardSchema numbers the layout of shard files and of the results
	// they hold; it changes whenever either changes.
	shardSchema = 3 // 3: a case's config is an object (was its JSON as a string)
)

// campaignID is what makes cases of one campaign: the settings that change
// a case's result, and the suite that computed it.
type campaignID struct {
	Seed     uint64  `json:"seed"`
	N        int     `json:"n"`
	Paths    int     `json:"paths"`
	Alpha    float64 `json:"alpha"`
	MaxSteps int     `json:"max_steps"`
	MaxDim   int     `json:"max_dim"`
	MaxAgent int     `json:"max_agents"`
	Theorem  string  `json:"theorem,omitempty"`
	Reading  string  `json:"reading,omitempty"`
	Avoid    bool    `json:"avoid_findings,omitempty"`
	// Suite is the version of the sdeverify build that ran the cases (its
	// module version, from the build's version control stamp).
	Suite string `json:"suite"`
	// SettingsHash is a SHA-256 of the fields above and the schema.
	SettingsHash string `json:"settings_hash"`
}

// newCampaignID is the identity of the campaign of n cases from seed,
// drawn under size and checked at level alpha, by this build.
func newCampaignID(seed uint64, n int, size studies.CaseSize, alpha float64) campaignID {
	s := size.WithDefaults()
	id := campaignID{Seed: seed, N: n, Paths: s.Paths, Alpha: alpha, MaxSteps: s.MaxSteps, MaxDim: s.MaxDim,
		MaxAgent: s.MaxAgents, Theorem: s.Theorem, Reading: string(s.Reading), Avoid: s.AvoidFindings, Suite: suiteVersion()}
	id.SettingsHash = id.hash()
	return id
}

func (id campaignID) hash() string {
	id.SettingsHash = ""
	b, _ := json.Marshal(struct {
		Schema int        `json:"schema"`
		ID     campaignID `json:"id"`
	}{shardSchema, id})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// suiteVersion is this build's version: the module version Go stamps
// from version control (a pseudo-version with the commit), and where that
// does not pin the code (a "(devel)" build, without version control
// stamping, or "+dirty", with uncommitted changes) the SHA-256 of the
// executable as well.
var suiteVersion = sync.OnceValue(func() string {
	v := "(devel)"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		v = bi.Main.Version
	}
	if v != "(devel)" && !strings.HasSuffix(v, "+dirty") {
		return v
	}
	exe, err := os.Executable()
	if err != nil {
		return v
	}
	f, err := os.Open(exe)
	if err != nil {
		return v
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return v
	}
	return v + " executable " + hex.EncodeToString(h.Sum(nil))[:12]
})

// field is one compared field of an identity: its name as the flags and
// the shard file say it, and its value.
type idField struct {
	name  string
	value string
}

func (id campaignID) fields() []idField {
	return []idField{
		{"seed", strconv.FormatUint(id.Seed, 10)},
		{"n", strconv.Itoa(id.N)},
		{"paths", strconv.Itoa(id.Paths)},
		{"alpha", strconv.FormatFloat(id.Alpha, 'g', -1, 64)},
		{"max_steps", strconv.Itoa(id.MaxSteps)},
		{"max_dim", strconv.Itoa(id.MaxDim)},
		{"max_agents", strconv.Itoa(id.MaxAgent)},
		{"theorem", strconv.Quote(id.Theorem)},
		{"reading", strconv.Quote(id.Reading)},
		{"avoid_findings", strconv.FormatBool(id.Avoid)},
		{"suite version", id.Suite},
		{"settings_hash", id.SettingsHash},
	}
}

// differ names the first field in which b (from bName) differs from a
// (from aName), in one line, or returns nil.
func (a campaignID) differ(aName string, b campaignID, bName string) error {
	fa, fb := a.fields(), b.fields()
	for i := range fa {
		if fa[i].value != fb[i].value {
			return fmt.Errorf("%s: %s = %s, but %s has %s = %s: not the same campaign", bName, fb[i].name, fb[i].value, aName, fa[i].name, fa[i].value)
		}
	}
	return nil
}

// shardID is which cases of the campaign a shard file holds: j with j mod
// Count = Index, or with Only >= 0 the one case Only (verify -only).
type shardID struct {
	Index int  `json:"index"`
	Count int  `json:"count"`
	Only  *int `json:"only,omitempty"`
}

func (s shardID) String() string {
	if s.Only != nil {
		return fmt.Sprintf("case %d (-only)", *s.Only)
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}

// holds reports whether case j belongs to the shard.
func (s shardID) holds(j int) bool {
	if s.Only != nil {
		return j == *s.Only
	}
	return j%s.Count == s.Index
}

// shardFile is the content of a campaign shard file.
type shardFile struct {
	Format   string                   `json:"format"`
	Schema   int                      `json:"schema"`
	Campaign campaignID               `json:"campaign"`
	Shard    shardID                  `json:"shard"`
	Cases    []studies.CampaignResult `json:"cases"`
}

// readShard reads a shard file and checks its form and its cases'
// indices against its campaign and shard.
func readShard(path string) (*shardFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '[' {
		return nil, fmt.Errorf("%s: a shard without its campaign's identity (written by an older sdeverify): run 'verify -json' for it again", path)
	}
	var head struct {
		Format string `json:"format"`
		Schema int    `json:"schema"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return nil, fmt.Errorf("%s: not a shard file: %v", path, err)
	}
	if head.Format != shardFormat {
		return nil, fmt.Errorf("%s: format = %q, want %q (a file written by 'sdeverify verify -json')", path, head.Format, shardFormat)
	}
	if head.Schema != shardSchema {
		return nil, fmt.Errorf("%s: schema = %d, but this sdeverify reads schema %d: run 'verify -json' for it again", path, head.Schema, shardSchema)
	}
	var sf shardFile
	if err := unmarshalExact(b, &sf); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if h := sf.Campaign.hash(); h != sf.Campaign.SettingsHash {
		return nil, fmt.Errorf("%s: settings_hash = %s, but its campaign's settings hash to %s (an edited file?)", path, sf.Campaign.SettingsHash, h)
	}
	if sf.Shard.Only == nil && (sf.Shard.Count < 1 || sf.Shard.Index < 0 || sf.Shard.Index >= sf.Shard.Count) {
		return nil, fmt.Errorf("%s: shard %s: want i/n with 0 <= i < n", path, sf.Shard)
	}
	for _, r := range sf.Cases {
		if r.Index < 0 || r.Index >= sf.Campaign.N || !sf.Shard.holds(r.Index) {
			return nil, fmt.Errorf("%s: case %d is not a case of shard %s of a campaign of n = %d", path, r.Index, sf.Shard, sf.Campaign.N)
		}
	}
	return &sf, nil
}

// writeShard writes a shard file whole or not at all.
func writeShard(path string, sf *shardFile) error {
	sf.Format, sf.Schema = shardFormat, shardSchema
	b, err := marshalExact(sf)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	return atomicfile.Write(path, b)
}

// caseState is the folder of finished cases beside a campaign's -json
// output (OUT.cases): campaign.json, the campaign's identity and the
// shard, and one file case-J.json per finished case, each written
// atomically as the case finishes. 'verify -resume' reads it back; a
// finished run writes OUT and removes it.
type caseState struct {
	dir  string
	done map[int]studies.CampaignResult
}

func stateDir(out string) string { return out + ".cases" }

// openState opens (resume) or starts the case state beside out for the
// campaign id and shard sh. Without resume, existing state is refused (it
// holds an interrupted run's cases); with resume, state of another
// campaign or shard is refused, and no state means nothing is done yet.
func openState(out string, id campaignID, sh shardID, resume bool, stderr io.Writer) (*caseState, error) {
	st := &caseState{dir: stateDir(out), done: map[int]studies.CampaignResult{}}
	idPath := filepath.Join(st.dir, "campaign.json")
	_, err := os.Stat(st.dir)
	exists := err == nil
	switch {
	case exists && !resume:
		n, _ := filepath.Glob(filepath.Join(st.dir, "case-*.json"))
		return nil, usageErr("-json = %s: %s holds %d finished case(s) of an interrupted run: add -resume to continue it, or delete %s to start again", out, st.dir, len(n), st.dir)
	case !exists && resume:
		fmt.Fprintf(stderr, "verify -resume: no finished cases in %s: running every case\n", st.dir)
	}
	if exists {
		sf, err := readShard(idPath)
		if err != nil {
			return nil, usageErr("-resume: %v", err)
		}
		if err := sf.Campaign.differ(idPath, id, "-resume"); err != nil {
			return nil, usageErr("%v", err)
		}
		if sf.Shard.String() != sh.String() {
			return nil, usageErr("-resume: -shard = %s, but %s holds cases of shard %s", sh, idPath, sf.Shard)
		}
		files, err := filepath.Glob(filepath.Join(st.dir, "case-*.json"))
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			c, err := readShard(f)
			if err != nil {
				return nil, usageErr("-resume: %v", err)
			}
			if err := sf.Campaign.differ(idPath, c.Campaign, f); err != nil {
				return nil, usageErr("-resume: %v", err)
			}
			for _, r := range c.Cases {
				if !sh.holds(r.Index) {
					return nil, usageErr("-resume: %s: case %d is not of shard %s", f, r.Index, sh)
				}
				st.done[r.Index] = r
			}
		}
		return st, nil
	}
	// The folder appears with its campaign.json or not at all.
	tmp, err := os.MkdirTemp(filepath.Dir(st.dir), "."+filepath.Base(st.dir)+".tmp*")
	if err != nil {
		return nil, usageErr("-json = %s: cannot make %s: %v", out, st.dir, err)
	}
	if err := writeShard(filepath.Join(tmp, "campaign.json"), &shardFile{Campaign: id, Shard: sh}); err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	if err := os.Rename(tmp, st.dir); err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	return st, nil
}

// save writes a finished case, whole or not at all.
func (st *caseState) save(id campaignID, sh shardID, r studies.CampaignResult) error {
	return writeShard(filepath.Join(st.dir, fmt.Sprintf("case-%06d.json", r.Index)), &shardFile{Campaign: id, Shard: sh, Cases: []studies.CampaignResult{r}})
}

// marshalExact is json.MarshalIndent with every non-finite float64 of v as
// the string "+Inf", "-Inf" or "NaN" in place of its number, even where a
// type's own MarshalJSON writes it as null: v is encoded as encoding/json
// would (its field order, tags, omitempty, Marshalers), and the JSON of
// each Marshaler is walked beside its value, by the fields' JSON names, to
// put each non-finite number in.
func marshalExact(v any) ([]byte, error) {
	t, err := encodeTree(reflect.ValueOf(v), "$")
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	t.encode(&out)
	var ind bytes.Buffer
	if err := json.Indent(&ind, out.Bytes(), "", "  "); err != nil {
		return nil, err
	}
	ind.WriteByte('\n')
	return ind.Bytes(), nil
}

var (
	marshalerType     = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

// encodeTree encodes v as encoding/json does, but for non-finite numbers.
func encodeTree(v reflect.Value, at string) (*node, error) {
	null := &node{raw: []byte("null")}
	if !v.IsValid() {
		return null, nil
	}
	if (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) && v.IsNil() {
		return null, nil
	}
	m := v
	if !m.Type().Implements(marshalerType) && m.CanAddr() && reflect.PointerTo(m.Type()).Implements(marshalerType) {
		m = m.Addr()
	}
	if m.Type().Implements(marshalerType) {
		b, err := m.Interface().(json.Marshaler).MarshalJSON()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", at, err)
		}
		n, err := parseTree(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", at, err)
		}
		return n, markNonFinite(v, n, at)
	}
	if v.Type().Implements(textMarshalerType) || (v.CanAddr() && reflect.PointerTo(v.Type()).Implements(textMarshalerType)) {
		return leaf(v, at)
	}
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		if f := v.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
			return &node{raw: []byte(strconv.Quote(nonFiniteText(f)))}, nil
		}
		return leaf(v, at)
	case reflect.Pointer, reflect.Interface:
		return encodeTree(v.Elem(), at)
	case reflect.Struct:
		n := &node{kind: '{'}
		for _, f := range fieldsOf(v.Type()) {
			fv, err := v.FieldByIndexErr(f.index)
			if err != nil || (f.omitEmpty && isEmpty(fv)) {
				continue
			}
			kid, err := encodeTree(fv, at+"."+f.name)
			if err != nil {
				return nil, err
			}
			n.keys, n.kids = append(n.keys, f.name), append(n.kids, kid)
		}
		return n, nil
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return null, nil
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return leaf(v, at)
		}
		n := &node{kind: '['}
		for i := range v.Len() {
			kid, err := encodeTree(v.Index(i), fmt.Sprintf("%s[%d]", at, i))
			if err != nil {
				return nil, err
			}
			n.kids = append(n.kids, kid)
		}
		return n, nil
	case reflect.Map:
		if v.IsNil() {
			return null, nil
		}
		// Keys as encoding/json writes them, in its (sorted) order.
		type entry struct {
			key string
			val reflect.Value
		}
		var es []entry
		it := v.MapRange()
		for it.Next() {
			k, err := mapKey(it.Key())
			if err != nil {
				return nil, fmt.Errorf("%s: %w", at, err)
			}
			es = append(es, entry{k, it.Value()})
		}
		slices.SortFunc(es, func(a, b entry) int { return strings.Compare(a.key, b.key) })
		n := &node{kind: '{'}
		for _, e := range es {
			kid, err := encodeTree(e.val, at+"."+e.key)
			if err != nil {
				return nil, err
			}
			n.keys, n.kids = append(n.keys, e.key), append(n.kids, kid)
		}
		return n, nil
	}
	return leaf(v, at)
}

// leaf is v's JSON by encoding/json.
func leaf(v reflect.Value, at string) (*node, error) {
	b, err := json.Marshal(v.Interface())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", at, err)
	}
	return &node{raw: b}, nil
}

// mapKey is a map key as encoding/json writes it.
func mapKey(k reflect.Value) (string, error) {
	if k.Kind() == reflect.String {
		return k.String(), nil
	}
	if tm, ok := k.Interface().(encoding.TextMarshaler); ok {
		b, err := tm.MarshalText()
		return string(b), err
	}
	switch k.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(k.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(k.Uint(), 10), nil
	}
	return "", fmt.Errorf("map key of type %v", k.Type())
}

// isEmpty is encoding/json's omitempty test.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

// unmarshalExact reads what marshalExact writes into v (a pointer): the
// strings "+Inf", "-Inf" and "NaN" where v's type has a float64 become
// null for encoding/json and are then set in the decoded value.
func unmarshalExact(b []byte, v any) error {
	t, err := parseTree(b)
	if err != nil {
		return err
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return errors.New("unmarshalExact: want a non-nil pointer")
	}
	var fix []nonFinite
	collectNonFinite(rv.Type().Elem(), t, nil, &fix)
	var out bytes.Buffer
	t.encode(&out)
	if err := json.Unmarshal(out.Bytes(), v); err != nil {
		return err
	}
	for _, f := range fix {
		if err := f.set(rv.Elem()); err != nil {
			return err
		}
	}
	return nil
}

// node is a parsed JSON value that keeps its objects' key order.
type node struct {
	kind byte // '{', '[' or 0 (a scalar, raw)
	keys []string
	kids []*node
	raw  []byte
}

func parseTree(b []byte) (*node, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	n, err := parseNode(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after the JSON value")
	}
	return n, nil
}

func parseNode(dec *json.Decoder) (*node, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		n := &node{kind: byte(t)}
		for dec.More() {
			if t == '{' {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, k.(string))
			}
			kid, err := parseNode(dec)
			if err != nil {
				return nil, err
			}
			n.kids = append(n.kids, kid)
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return nil, err
		}
		return n, nil
	case json.Number:
		return &node{raw: []byte(t)}, nil
	}
	raw, err := json.Marshal(tok)
	if err != nil {
		return nil, err
	}
	return &node{raw: raw}, nil
}

func (n *node) encode(w *bytes.Buffer) {
	switch n.kind {
	case '{':
		w.WriteByte('{')
		for i, k := range n.keys {
			if i > 0 {
				w.WriteByte(',')
			}
			kb, _ := json.Marshal(k)
			w.Write(kb)
			w.WriteByte(':')
			n.kids[i].encode(w)
		}
		w.WriteByte('}')
	case '[':
		w.WriteByte('[')
		for i, k := range n.kids {
			if i > 0 {
				w.WriteByte(',')
			}
			k.encode(w)
		}
		w.WriteByte(']')
	default:
		w.Write(n.raw)
	}
}

func (n *node) key(k string) *node {
	if n == nil || n.kind != '{' {
		return nil
	}
	for i, kk := range n.keys {
		if kk == k {
			return n.kids[i]
		}
	}
	// As encoding/json decodes: a key that matches but for case (a type's
	// own MarshalJSON may name its fields in lower case).
	for i, kk := range n.keys {
		if strings.EqualFold(kk, k) {
			return n.kids[i]
		}
	}
	return nil
}

func (n *node) index(i int) *node {
	if n == nil || n.kind != '[' || i >= len(n.kids) {
		return nil
	}
	return n.kids[i]
}

// nonFiniteText is the JSON string that stands for a non-finite number.
func nonFiniteText(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "+Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	}
	return "NaN"
}

// jsonField is a struct field as encoding/json names it.
type jsonField struct {
	name      string
	index     []int
	omitEmpty bool
}

// jsonFields lists t's fields as encoding/json encodes them: exported,
// by their tag's name or their own, "-" skipped, embedded structs'
// fields in their place.
func jsonFields(t reflect.Type, prefix []int, dst *[]jsonField) {
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		idx := append(append([]int(nil), prefix...), i)
		ft := sf.Type
		if sf.Anonymous && name == "" {
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				jsonFields(ft, idx, dst)
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		*dst = append(*dst, jsonField{name, idx, slices.Contains(strings.Split(opts, ","), "omitempty")})
	}
}

func fieldsOf(t reflect.Type) []jsonField {
	var fs []jsonField
	jsonFields(t, nil, &fs)
	return fs
}

// markNonFinite puts v's non-finite numbers into n, its JSON; where a
// number's place cannot be found in n it is an error (at names the place).
func markNonFinite(v reflect.Value, n *node, at string) error {
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if !math.IsNaN(f) && !math.IsInf(f, 0) {
			return nil
		}
		if n == nil || n.kind != 0 {
			return fmt.Errorf("%s = %v: no place for it in the JSON", at, f)
		}
		n.raw = []byte(strconv.Quote(nonFiniteText(f)))
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return markNonFinite(v.Elem(), n, at)
		}
	case reflect.Struct:
		for _, f := range fieldsOf(v.Type()) {
			fv, err := v.FieldByIndexErr(f.index)
			if err != nil {
				continue // a nil embedded pointer: no fields
			}
			if err := markNonFinite(fv, n.key(f.name), at+"."+f.name); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return nil
		}
		for i := range v.Len() {
			if err := markNonFinite(v.Index(i), n.index(i), fmt.Sprintf("%s[%d]", at, i)); err != nil {
				return err
			}
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			k := fmt.Sprint(it.Key().Interface())
			if err := markNonFinite(it.Value(), n.key(k), at+"."+k); err != nil {
				return err
			}
		}
	}
	return nil
}

// nonFinite is a non-finite number read from a shard and where it goes.
type nonFinite struct {
	path  []step
	value float64
}

// step is one move into a value: a struct field (its index path), a
// slice element, a map entry, or through a pointer.
type step struct {
	field []int
	elem  int
	key   string
	kind  byte // 'f', 'e', 'k', '*'
}

// collectNonFinite finds, where t has a float64, the strings "+Inf",
// "-Inf" and "NaN" in n, records them and turns them into null.
func collectNonFinite(t reflect.Type, n *node, path []step, dst *[]nonFinite) {
	if n == nil {
		return
	}
	at := func(s step) []step { return append(append([]step(nil), path...), s) }
	switch t.Kind() {
	case reflect.Float32, reflect.Float64:
		if n.kind != 0 {
			return
		}
		var s string
		if json.Unmarshal(n.raw, &s) != nil {
			return
		}
		v := map[string]float64{"+Inf": math.Inf(1), "-Inf": math.Inf(-1), "NaN": math.NaN()}
		if f, ok := v[s]; ok {
			*dst = append(*dst, nonFinite{append([]step(nil), path...), f})
			n.raw = []byte("null")
		}
	case reflect.Pointer:
		collectNonFinite(t.Elem(), n, at(step{kind: '*'}), dst)
	case reflect.Struct:
		for _, f := range fieldsOf(t) {
			collectNonFinite(t.FieldByIndex(f.index).Type, n.key(f.name), at(step{kind: 'f', field: f.index}), dst)
		}
	case reflect.Slice, reflect.Array:
		if n.kind != '[' {
			return
		}
		for i, k := range n.kids {
			collectNonFinite(t.Elem(), k, at(step{kind: 'e', elem: i}), dst)
		}
	case reflect.Map:
		if n.kind != '{' || t.Key().Kind() != reflect.String {
			return
		}
		for i, k := range n.keys {
			collectNonFinite(t.Elem(), n.kids[i], at(step{kind: 'k', key: k}), dst)
		}
	}
}

// set puts the number in its place in v, the decoded value.
func (f nonFinite) set(v reflect.Value) error {
	for i, s := range f.path {
		switch s.kind {
		case '*':
			if v.IsNil() {
				if !v.CanSet() {
					return fmt.Errorf("a non-finite number under a null value (step %d)", i)
				}
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		case 'f':
			var err error
			if v, err = v.FieldByIndexErr(s.field); err != nil {
				return err
			}
		case 'e':
			if s.elem >= v.Len() {
				return fmt.Errorf("a non-finite number at element %d of %d", s.elem, v.Len())
			}
			v = v.Index(s.elem)
		case 'k':
			if i != len(f.path)-1 || v.Type().Elem().Kind() != reflect.Float64 {
				return fmt.Errorf("a non-finite number inside map entry %q: not supported", s.key)
			}
			v.SetMapIndex(reflect.ValueOf(s.key).Convert(v.Type().Key()), reflect.ValueOf(f.value).Convert(v.Type().Elem()))
			return nil
		}
	}
	if !v.CanSet() {
		return errors.New("a non-finite number in a place that cannot be set")
	}
	v.SetFloat(f.value)
	return nil
}
