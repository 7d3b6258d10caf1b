// Package dynamic generates the dynamic variables of request files —
// {{$name}} placeholders a tool fills when it sends a request: Postman's
// ($guid, $timestamp, $isoTimestamp, $randomInt, $randomEmail, …), the
// REST Client's ($randomInt MIN MAX, $timestamp and $datetime with
// offsets, $localDatetime, $processEnv NAME, $dotenv NAME) and JetBrains'
// ($uuid, $random.integer(from, to), $random.alphabetic(n) …). The request
// sender fills them at send time, and the importers report the ones it
// does not know. None is stored; $processEnv and $dotenv values come from
// outside the request and are Sensitive.
package dynamic

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// dynamicGen makes one value for a dynamic variable; args are the words
// after the name ({{$randomInt 1 10}}).
type dynamicGen func(d *Values, args []string) (string, error)

// dynamicVars are the dynamic variables authdeck generates, by name.
var dynamicVars map[string]dynamicGen

func init() {
	pick := func(list ...string) dynamicGen {
		return func(d *Values, _ []string) (string, error) { return list[d.intn(len(list))], nil }
	}
	dynamicVars = map[string]dynamicGen{
		"$guid":       func(d *Values, _ []string) (string, error) { return d.uuid(), nil },
		"$randomUUID": func(d *Values, _ []string) (string, error) { return d.uuid(), nil },
		"$uuid":       func(d *Values, _ []string) (string, error) { return d.uuid(), nil },
		"$timestamp": func(d *Values, args []string) (string, error) {
			t, err := offsetTime(d.now, args)
			if err != nil {
				return "", err
			}
			return strconv.FormatInt(t.Unix(), 10), nil
		},
		"$isoTimestamp": func(d *Values, _ []string) (string, error) {
			return d.now.UTC().Format("2006-01-02T15:04:05.000Z"), nil
		},
		"$randomInt": randomInt,
		"$randomBoolean": func(d *Values, _ []string) (string, error) {
			return strconv.FormatBool(d.intn(2) == 1), nil
		},
		"$randomAlphaNumeric": func(d *Values, _ []string) (string, error) {
			return d.chars("abcdefghijklmnopqrstuvwxyz0123456789", 1), nil
		},
		"$randomHexColor": func(d *Values, _ []string) (string, error) { return "#" + d.chars("0123456789abcdef", 6), nil },
		"$randomIP": func(d *Values, _ []string) (string, error) {
			return fmt.Sprintf("%d.%d.%d.%d", 1+d.intn(223), d.intn(256), d.intn(256), 1+d.intn(254)), nil
		},
		"$randomIPV6": func(d *Values, _ []string) (string, error) {
			parts := make([]string, 8)
			for i := range parts {
				parts[i] = d.chars("0123456789abcdef", 4)
			}
			return strings.Join(parts, ":"), nil
		},
		"$randomMACAddress": func(d *Values, _ []string) (string, error) {
			parts := make([]string, 6)
			for i := range parts {
				parts[i] = d.chars("0123456789abcdef", 2)
			}
			return strings.Join(parts, ":"), nil
		},
		"$randomPassword": func(d *Values, _ []string) (string, error) {
			return d.chars("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 15), nil
		},
		"$randomBankAccount": func(d *Values, _ []string) (string, error) { return d.chars("0123456789", 8), nil },
		"$randomPhoneNumber": func(d *Values, _ []string) (string, error) {
			return fmt.Sprintf("%s-%s-%s", d.chars("23456789", 1)+d.chars("0123456789", 2), d.chars("0123456789", 3), d.chars("0123456789", 4)), nil
		},
		"$randomPrice": func(d *Values, _ []string) (string, error) {
			return fmt.Sprintf("%d.%02d", d.intn(1000), d.intn(100)), nil
		},
		"$randomLatitude":  func(d *Values, _ []string) (string, error) { return fmt.Sprintf("%.4f", d.float()*180-90), nil },
		"$randomLongitude": func(d *Values, _ []string) (string, error) { return fmt.Sprintf("%.4f", d.float()*360-180), nil },
		"$randomSemver": func(d *Values, _ []string) (string, error) {
			return fmt.Sprintf("%d.%d.%d", d.intn(10), d.intn(10), d.intn(10)), nil
		},
		"$randomFirstName":  pick(firstNames...),
		"$randomLastName":   pick(lastNames...),
		"$randomFullName":   func(d *Values, _ []string) (string, error) { return d.name(), nil },
		"$randomNamePrefix": pick("Mr.", "Mrs.", "Ms.", "Miss", "Dr."),
		"$randomNameSuffix": pick("Jr.", "Sr.", "I", "II", "III", "IV", "V", "MD", "DDS", "PhD"),
		"$randomUserName": func(d *Values, _ []string) (string, error) {
			return firstNames[d.intn(len(firstNames))] + "." + lastNames[d.intn(len(lastNames))] + strconv.Itoa(d.intn(100)), nil
		},
		"$randomEmail": func(d *Values, _ []string) (string, error) {
			return strings.ToLower(firstNames[d.intn(len(firstNames))]+"."+lastNames[d.intn(len(lastNames))]) + strconv.Itoa(d.intn(100)) + "@" + domains[d.intn(len(domains))], nil
		},
		"$randomExampleEmail": func(d *Values, _ []string) (string, error) {
			return strings.ToLower(firstNames[d.intn(len(firstNames))]+"."+lastNames[d.intn(len(lastNames))]) + "@example." + pick2(d, "com", "net", "org"), nil
		},
		"$randomDomainName": func(d *Values, _ []string) (string, error) {
			return d.word() + "." + pick2(d, "com", "net", "org", "io", "info"), nil
		},
		"$randomDomainSuffix": pick("com", "net", "org", "io", "info", "biz", "name"),
		"$randomDomainWord":   func(d *Values, _ []string) (string, error) { return d.word(), nil },
		"$randomUrl": func(d *Values, _ []string) (string, error) {
			return "https://" + d.word() + "." + pick2(d, "com", "net", "org"), nil
		},
		"$randomProtocol":    pick("http", "https"),
		"$randomLocale":      pick("en", "de", "fr", "es", "it", "nl", "pt", "sv", "pl", "ja", "zh", "ko"),
		"$randomCountry":     pick("France", "Germany", "Japan", "Brazil", "Canada", "Kenya", "India", "Norway", "Chile", "Spain"),
		"$randomCountryCode": pick("FR", "DE", "JP", "BR", "CA", "KE", "IN", "NO", "CL", "ES", "US", "GB"),
		"$randomCity":        pick("Lyon", "Leipzig", "Osaka", "Recife", "Halifax", "Mombasa", "Pune", "Bergen", "Valparaiso", "Bilbao"),
		"$randomStreetName": func(d *Values, _ []string) (string, error) {
			return lastNames[d.intn(len(lastNames))] + " " + pick2(d, "Street", "Avenue", "Road", "Lane"), nil
		},
		"$randomStreetAddress": func(d *Values, _ []string) (string, error) {
			return strconv.Itoa(1+d.intn(9999)) + " " + lastNames[d.intn(len(lastNames))] + " " + pick2(d, "Street", "Avenue", "Road", "Lane"), nil
		},
		"$randomCurrencyCode": pick("USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "SEK", "NOK", "BRL"),
		"$randomCurrencyName": pick("US Dollar", "Euro", "Pound Sterling", "Yen", "Swiss Franc", "Canadian Dollar"),
		"$randomCompanyName": func(d *Values, _ []string) (string, error) {
			return lastNames[d.intn(len(lastNames))] + " " + pick2(d, "Inc", "LLC", "Group", "and Sons"), nil
		},
		"$randomProductName": func(d *Values, _ []string) (string, error) {
			return pick2(d, "Small", "Ergonomic", "Rustic", "Sleek") + " " + pick2(d, "Steel", "Wooden", "Cotton") + " " + pick2(d, "Chair", "Table", "Shoes", "Hat", "Lamp"), nil
		},
		"$randomDepartment": pick("Books", "Garden", "Music", "Toys", "Tools", "Sports", "Grocery", "Health"),
		"$randomJobTitle":   pick("Engineer", "Designer", "Analyst", "Manager", "Consultant", "Architect"),
		"$randomColor":      pick("red", "green", "blue", "orange", "purple", "teal", "magenta", "yellow", "black", "white"),
		"$randomWord":       func(d *Values, _ []string) (string, error) { return d.word(), nil },
		"$randomWords": func(d *Values, _ []string) (string, error) {
			return d.word() + " " + d.word() + " " + d.word(), nil
		},
		"$randomLoremWord": func(d *Values, _ []string) (string, error) { return d.word(), nil },
		"$randomLoremWords": func(d *Values, _ []string) (string, error) {
			return d.word() + " " + d.word() + " " + d.word(), nil
		},
		"$randomLoremSentence": func(d *Values, _ []string) (string, error) {
			w := d.word()
			return strings.ToUpper(w[:1]) + w[1:] + " " + d.word() + " " + d.word() + " " + d.word() + ".", nil
		},
		"$randomAbbreviation": pick("API", "HTTP", "JSON", "SQL", "TCP", "XML", "SMTP", "RSS", "SSL", "PCI"),
		"$randomMonth":        pick("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"),
		"$randomWeekday":      pick("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
		"$randomDatePast": func(d *Values, _ []string) (string, error) {
			return d.now.Add(-time.Duration(1+d.intn(365*24)) * time.Hour).UTC().Format(time.RFC1123), nil
		},
		"$randomDateFuture": func(d *Values, _ []string) (string, error) {
			return d.now.Add(time.Duration(1+d.intn(365*24)) * time.Hour).UTC().Format(time.RFC1123), nil
		},
		"$randomDateRecent": func(d *Values, _ []string) (string, error) {
			return d.now.Add(-time.Duration(1+d.intn(48)) * time.Hour).UTC().Format(time.RFC1123), nil
		},
		"$randomUserAgent": pick("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
			"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15"),
	}
}

var (
	firstNames = []string{"Ada", "Alan", "Grace", "Linus", "Ken", "Barbara", "Edsger", "Frances", "Donald", "Margaret", "Dennis", "Radia"}
	lastNames  = []string{"Lovelace", "Turing", "Hopper", "Torvalds", "Thompson", "Liskov", "Dijkstra", "Allen", "Knuth", "Hamilton", "Ritchie", "Perlman"}
	words      = []string{"alpha", "bravo", "cedar", "delta", "ember", "fjord", "granite", "harbor", "island", "juniper", "kernel", "lagoon", "meadow", "nimbus", "orbit", "prairie", "quartz", "river", "summit", "tundra"}
	domains    = []string{"example.com", "example.net", "example.org"}
)

func pick2(d *Values, list ...string) string { return list[d.intn(len(list))] }

// randomInt is Postman's $randomInt (0 to 1000) or, with two arguments,
// REST Client's $randomInt MIN MAX (MIN included, MAX excluded).
func randomInt(d *Values, args []string) (string, error) {
	lo, hi := int64(0), int64(1001)
	if len(args) > 0 {
		if len(args) != 2 {
			return "", fmt.Errorf("$randomInt takes no argument or MIN MAX")
		}
		a, err1 := strconv.ParseInt(args[0], 10, 64)
		b, err2 := strconv.ParseInt(args[1], 10, 64)
		if err1 != nil || err2 != nil || b <= a || b-a > math.MaxInt32 {
			return "", fmt.Errorf("$randomInt %s %s: MIN and MAX are integers with MIN < MAX", args[0], args[1])
		}
		lo, hi = a, b
	}
	return strconv.FormatInt(lo+int64(d.intn(int(hi-lo))), 10), nil
}

// Known reports whether name (with its leading '$' and any arguments) is a
// dynamic variable generated at send time.
func Known(name string) bool {
	base, _ := split(name)
	_, ok := dynamicVars[base]
	return ok
}

// split cuts a placeholder name into the variable and its arguments: the
// words after it ($randomInt 1 10, $datetime 'YYYY-MM-DD' 1 d) or the
// comma-separated list of a call ($random.integer(1, 10)).
func split(name string) (string, []string) {
	name = strings.TrimSpace(name)
	if i := strings.IndexByte(name, '('); i > 0 && strings.HasSuffix(name, ")") && !strings.ContainsAny(name[:i], " \t") {
		var args []string
		if inner := strings.TrimSpace(name[i+1 : len(name)-1]); inner != "" {
			for _, a := range strings.Split(inner, ",") {
				args = append(args, strings.TrimSpace(a))
			}
		}
		return name[:i], args
	}
	fields := strings.Fields(name)
	if len(fields) == 0 {
		return "", nil
	}
	return fields[0], fields[1:]
}

// Values generates the dynamic variables of one request: the same name
// gets the same value everywhere in it, a new request new values.
type Values struct {
	now    time.Time
	values map[string]string
	errs   map[string]error
	// Getenv reads the process environment for $processEnv; nil means os.LookupEnv.
	Getenv func(name string) (string, bool)
	// Dotenv reads the .env file for $dotenv; nil means ./.env, read once.
	Dotenv func() (map[string]string, error)
	// Var resolves the variable a "%name" argument of $processEnv and
	// $dotenv names; nil refuses that indirection.
	Var func(name string) (string, bool)

	dotenv    map[string]string
	dotenvErr error
	dotenvSet bool
}

// New returns the generator of one request's values; now is the time the
// $timestamp family reports.
func New(now time.Time) *Values {
	return &Values{now: now, values: map[string]string{}, errs: map[string]error{}}
}

// Lookup returns the value of a dynamic variable; ok is false for a name
// that is not one, or whose arguments are wrong (Err says why).
func (d *Values) Lookup(name string) (string, bool) {
	if v, ok := d.values[name]; ok {
		return v, true
	}
	base, args := split(name)
	gen, ok := dynamicVars[base]
	if !ok {
		return "", false
	}
	v, err := gen(d, args)
	if err != nil {
		d.errs[name] = err
		return "", false
	}
	d.values[name] = v
	return v, true
}

// Now is the time the values are generated for.
func (d *Values) Now() time.Time { return d.now }

// Err says why name (a dynamic variable with arguments) has no value; nil
// when it has one or is not a dynamic variable.
func (d *Values) Err(name string) error { return d.errs[name] }

// Names lists the dynamic variables generated, sorted.
func Names() []string {
	out := make([]string, 0, len(dynamicVars))
	for n := range dynamicVars {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func (d *Values) uuid() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// intn returns a uniform random number in [0, n).
func (d *Values) intn(n int) int {
	if n <= 1 {
		return 0
	}
	var b [8]byte
	limit := math.MaxUint64 - math.MaxUint64%uint64(n)
	for {
		_, _ = rand.Read(b[:])
		if v := binary.BigEndian.Uint64(b[:]); v < limit {
			return int(v % uint64(n)) //nolint:gosec // G115: v % n < n, an int
		}
	}
}

func (d *Values) float() float64 { return float64(d.intn(1<<30)) / float64(1<<30) }

func (d *Values) chars(alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[d.intn(len(alphabet))]
	}
	return string(b)
}

func (d *Values) word() string { return words[d.intn(len(words))] }

func (d *Values) name() string {
	return firstNames[d.intn(len(firstNames))] + " " + lastNames[d.intn(len(lastNames))]
}
