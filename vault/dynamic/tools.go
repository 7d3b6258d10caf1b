package dynamic

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
)

// The REST Client's and JetBrains' system variables.

func init() {
	for name, gen := range map[string]dynamicGen{
		"$datetime":      func(d *Values, args []string) (string, error) { return datetime(d.now.UTC(), args) },
		"$localDatetime": func(d *Values, args []string) (string, error) { return datetime(d.now.Local(), args) },
		"$processEnv":    func(d *Values, args []string) (string, error) { return d.processEnv(args) },
		"$dotenv":        func(d *Values, args []string) (string, error) { return d.dotenvValue(args) },
		"$random.uuid":   func(d *Values, _ []string) (string, error) { return d.uuid(), nil },
		"$random.integer": func(d *Values, args []string) (string, error) {
			lo, hi, err := intRange(args, 0, 1000)
			if err != nil {
				return "", err
			}
			return strconv.FormatInt(lo+int64(d.intn(int(hi-lo))), 10), nil
		},
		"$random.float": func(d *Values, args []string) (string, error) {
			lo, hi := 0.0, 1000.0
			if len(args) > 0 {
				var err1, err2 error
				if len(args) != 2 {
					return "", errors.New("$random.float takes (from, to)")
				}
				lo, err1 = strconv.ParseFloat(args[0], 64)
				hi, err2 = strconv.ParseFloat(args[1], 64)
				if err1 != nil || err2 != nil || math.IsNaN(lo) || math.IsInf(hi-lo, 0) || !(hi > lo) {
					return "", fmt.Errorf("$random.float(%s): from and to are numbers with from < to", strings.Join(args, ", "))
				}
			}
			return strconv.FormatFloat(lo+d.float()*(hi-lo), 'f', -1, 64), nil
		},
		"$random.alphabetic":   lengthOf("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"),
		"$random.alphanumeric": lengthOf("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"),
		"$random.hexadecimal":  lengthOf("0123456789abcdef"),
		"$random.email": func(d *Values, _ []string) (string, error) {
			return strings.ToLower(firstNames[d.intn(len(firstNames))]+"."+lastNames[d.intn(len(lastNames))]) + "@" + domains[d.intn(len(domains))], nil
		},
	} {
		dynamicVars[name] = gen
	}
}

// Sensitive reports whether the variable's value comes from outside the
// request ($processEnv, $dotenv) and may be a credential: displays mask it
// and histories scrub it.
func Sensitive(name string) bool {
	base, _ := split(name)
	return base == "$processEnv" || base == "$dotenv"
}

// offsetTime applies a REST Client offset ("-1 d", "2 h") to t.
func offsetTime(t time.Time, args []string) (time.Time, error) {
	switch len(args) {
	case 0:
		return t, nil
	case 2:
		n, err := strconv.Atoi(args[0])
		if err != nil || n > 1_000_000 || n < -1_000_000 {
			return t, fmt.Errorf("offset %q is not a number", args[0])
		}
		switch args[1] {
		case "y":
			return t.AddDate(n, 0, 0), nil
		case "M":
			return t.AddDate(0, n, 0), nil
		case "w":
			return t.AddDate(0, 0, 7*n), nil
		case "d":
			return t.AddDate(0, 0, n), nil
		case "h":
			return t.Add(time.Duration(n) * time.Hour), nil
		case "m":
			return t.Add(time.Duration(n) * time.Minute), nil
		case "s":
			return t.Add(time.Duration(n) * time.Second), nil
		case "ms":
			return t.Add(time.Duration(n) * time.Millisecond), nil
		}
		return t, fmt.Errorf("offset unit %q is not one of y, M, w, d, h, m, s, ms", args[1])
	}
	return t, fmt.Errorf("expected an offset \"N unit\" (like -1 d), found %q", strings.Join(args, " "))
}

// datetime is $datetime FORMAT [OFFSET UNIT]: FORMAT is rfc1123, iso8601
// or a quoted moment.js pattern ('YYYY-MM-DD').
func datetime(now time.Time, args []string) (string, error) {
	rest := strings.Join(args, " ")
	if rest == "" {
		return "", errors.New("$datetime needs a format: rfc1123, iso8601 or a quoted custom format")
	}
	format := ""
	if q := rest[0]; q == '"' || q == '\'' {
		end := strings.IndexByte(rest[1:], q)
		if end < 0 {
			return "", errors.New("$datetime: the custom format's quote is not closed")
		}
		format, rest = rest[:end+2], rest[end+2:]
	} else {
		format, rest, _ = strings.Cut(rest, " ")
	}
	t, err := offsetTime(now, strings.Fields(rest))
	if err != nil {
		return "", err
	}
	switch {
	case format == "rfc1123":
		return t.Format(time.RFC1123), nil
	case format == "iso8601" && t.Location() == time.UTC:
		return t.Format("2006-01-02T15:04:05.000Z"), nil
	case format == "iso8601":
		return t.Format("2006-01-02T15:04:05.000-07:00"), nil
	case format[0] == '"' || format[0] == '\'':
		return formatMoment(t, format[1:len(format)-1]), nil
	}
	return "", fmt.Errorf("$datetime format %q is not rfc1123, iso8601 or a quoted custom format", format)
}

// formatMoment formats t with a moment.js / day.js pattern: YYYY, YY,
// MMMM, MMM, MM, M, DD, D, dddd, ddd, HH, H, hh, h, mm, m, ss, s, SSS, A,
// a, ZZ, Z, X, x; [text] is kept as it is.
func formatMoment(t time.Time, p string) string {
	tokens := []struct {
		tok string
		f   func() string
	}{
		{"YYYY", func() string { return fmt.Sprintf("%04d", t.Year()) }},
		{"YY", func() string { return fmt.Sprintf("%02d", t.Year()%100) }},
		{"MMMM", func() string { return t.Month().String() }},
		{"MMM", func() string { return t.Month().String()[:3] }},
		{"MM", func() string { return fmt.Sprintf("%02d", int(t.Month())) }},
		{"M", func() string { return strconv.Itoa(int(t.Month())) }},
		{"DD", func() string { return fmt.Sprintf("%02d", t.Day()) }},
		{"D", func() string { return strconv.Itoa(t.Day()) }},
		{"dddd", func() string { return t.Weekday().String() }},
		{"ddd", func() string { return t.Weekday().String()[:3] }},
		{"HH", func() string { return fmt.Sprintf("%02d", t.Hour()) }},
		{"H", func() string { return strconv.Itoa(t.Hour()) }},
		{"hh", func() string { return fmt.Sprintf("%02d", (t.Hour()+11)%12+1) }},
		{"h", func() string { return strconv.Itoa((t.Hour()+11)%12 + 1) }},
		{"mm", func() string { return fmt.Sprintf("%02d", t.Minute()) }},
		{"m", func() string { return strconv.Itoa(t.Minute()) }},
		{"ss", func() string { return fmt.Sprintf("%02d", t.Second()) }},
		{"s", func() string { return strconv.Itoa(t.Second()) }},
		{"SSS", func() string { return fmt.Sprintf("%03d", t.Nanosecond()/1e6) }},
		{"A", func() string { return map[bool]string{true: "PM", false: "AM"}[t.Hour() >= 12] }},
		{"a", func() string { return map[bool]string{true: "pm", false: "am"}[t.Hour() >= 12] }},
		{"ZZ", func() string { return t.Format("-0700") }},
		{"Z", func() string { return t.Format("-07:00") }},
		{"X", func() string { return strconv.FormatInt(t.Unix(), 10) }},
		{"x", func() string { return strconv.FormatInt(t.UnixMilli(), 10) }},
	}
	var b strings.Builder
outer:
	for i := 0; i < len(p); {
		if p[i] == '[' {
			if end := strings.IndexByte(p[i:], ']'); end > 0 {
				b.WriteString(p[i+1 : i+end])
				i += end + 1
				continue
			}
		}
		for _, tk := range tokens {
			if strings.HasPrefix(p[i:], tk.tok) {
				b.WriteString(tk.f())
				i += len(tk.tok)
				continue outer
			}
		}
		b.WriteByte(p[i])
		i++
	}
	return b.String()
}

// intRange reads JetBrains' (from, to): from included, to excluded.
func intRange(args []string, defLo, defHi int64) (int64, int64, error) {
	if len(args) == 0 {
		return defLo, defHi, nil
	}
	if len(args) != 2 {
		return 0, 0, errors.New("$random.integer takes (from, to)")
	}
	lo, err1 := strconv.ParseInt(args[0], 10, 64)
	hi, err2 := strconv.ParseInt(args[1], 10, 64)
	if err1 != nil || err2 != nil || hi <= lo || hi-lo > math.MaxInt32 || hi-lo < 0 {
		return 0, 0, fmt.Errorf("$random.integer(%s): from and to are integers with from < to", strings.Join(args, ", "))
	}
	return lo, hi, nil
}

// lengthOf makes $random.alphabetic(n) and its kin: n characters of set.
func lengthOf(set string) dynamicGen {
	return func(d *Values, args []string) (string, error) {
		if len(args) != 1 {
			return "", errors.New("takes a length (n)")
		}
		n, err := strconv.Atoi(args[0])
		if err != nil || n < 0 || n > 4096 {
			return "", fmt.Errorf("length %q is not a number from 0 to 4096", args[0])
		}
		return d.chars(set, n), nil
	}
}

// envName resolves "%name" (a variable holding the name to read).
func (d *Values) envName(args []string) (string, error) {
	if len(args) != 1 {
		return "", errors.New("takes one variable name")
	}
	name := args[0]
	if ind, ok := strings.CutPrefix(name, "%"); ok {
		if d.Var == nil {
			return "", fmt.Errorf("%%%s: no variable says which variable to read", ind)
		}
		v, ok := d.Var(ind)
		if !ok || strings.TrimSpace(v) == "" {
			return "", fmt.Errorf("%%%s: no variable %q says which variable to read", ind, ind)
		}
		name = strings.TrimSpace(v)
	}
	return name, nil
}

func (d *Values) processEnv(args []string) (string, error) {
	name, err := d.envName(args)
	if err != nil {
		return "", fmt.Errorf("$processEnv %w", err)
	}
	get := d.Getenv
	if get == nil {
		get = os.LookupEnv
	}
	v, ok := get(name)
	if !ok {
		return "", fmt.Errorf("$processEnv: the environment variable %s is not set", name)
	}
	return v, nil
}

func (d *Values) dotenvValue(args []string) (string, error) {
	name, err := d.envName(args)
	if err != nil {
		return "", fmt.Errorf("$dotenv %w", err)
	}
	if !d.dotenvSet {
		d.dotenvSet = true
		if d.Dotenv != nil {
			d.dotenv, d.dotenvErr = d.Dotenv()
		} else {
			d.dotenv, d.dotenvErr = ReadDotenvFile(".env")
		}
	}
	if d.dotenvErr != nil {
		return "", fmt.Errorf("$dotenv: %w", d.dotenvErr)
	}
	v, ok := d.dotenv[name]
	if !ok {
		return "", fmt.Errorf("$dotenv: the .env file has no %s", name)
	}
	return v, nil
}

// ReadDotenvFile reads a .env file (see ParseDotenv).
func ReadDotenvFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no .env file at %s", path)
		}
		return nil, err
	}
	defer f.Close()
	return ParseDotenv(f)
}

// ParseDotenv reads KEY=VALUE lines: blank lines and # comments are
// skipped, "export " is allowed in front, values may be quoted ('…' as is,
// "…" with \n, \t, \" and \\ escapes), and an unquoted value ends at " #".
func ParseDotenv(r io.Reader) (map[string]string, error) {
	out := map[string]string{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\ufeff"))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			continue
		}
		v = strings.TrimSpace(v)
		switch {
		case len(v) >= 2 && v[0] == '\'' && strings.IndexByte(v[1:], '\'') >= 0:
			v = v[1 : 1+strings.IndexByte(v[1:], '\'')]
		case len(v) >= 2 && v[0] == '"':
			var b strings.Builder
			for i := 1; i < len(v) && v[i] != '"'; i++ {
				if v[i] == '\\' && i+1 < len(v) {
					i++
					switch v[i] {
					case 'n':
						b.WriteByte('\n')
					case 'r':
						b.WriteByte('\r')
					case 't':
						b.WriteByte('\t')
					default:
						b.WriteByte(v[i])
					}
					continue
				}
				b.WriteByte(v[i])
			}
			v = b.String()
		default:
			if i := strings.Index(v, " #"); i >= 0 {
				v = strings.TrimSpace(v[:i])
			}
		}
		out[k] = v
	}
	return out, sc.Err()
}
