package vault

import (
	"fmt"
	"strings"
	"unicode"
)

// QueryParam is a query parameter kept beside a request's URL.
type QueryParam struct {
	Name     string `json:"name"`
	Value    string `json:"value"`
	Disabled bool   `json:"disabled,omitempty"`
}

// FormField is one part of a multipart/form-data body: a text value, or a
// file read from File when the request is sent. Name, Value and File may
// hold {{variables}}.
type FormField struct {
	Name  string `json:"name"`
	Value string `json:"value,omitempty"`
	// File is the path of a file sent as this part; empty for a text part.
	File string `json:"file,omitempty"`
	// IsFile marks a file part (File may be empty when the source named none).
	IsFile bool `json:"isFile,omitempty"`
	// ContentType is the part's Content-Type; empty lets the sender choose.
	ContentType string `json:"contentType,omitempty"`
	Disabled    bool   `json:"disabled,omitempty"`
}

// Authentication schemes a request computes when it is sent.
const (
	SchemeBasic  = "basic"
	SchemeDigest = "digest"
	SchemeAWSv4  = "awsv4"
)

// AuthScheme is an HTTP authentication computed when the request is sent,
// from templates: Username and AccessKey may be literals or {{variables}};
// Password, SecretKey and SessionToken are {{references}} to (secret)
// variables only, so the catalog never holds their values.
type AuthScheme struct {
	// Type is basic, digest (RFC 7616, answered on the server's challenge)
	// or awsv4 (AWS Signature Version 4).
	Type     string `json:"type"`
	Username string `json:"username,omitempty"`
	Password string `json:"password,omitempty"`
	// AWS Signature v4: keys, and the region and service signed for.
	AccessKey    string `json:"accessKey,omitempty"`
	SecretKey    string `json:"secretKey,omitempty"`
	SessionToken string `json:"sessionToken,omitempty"`
	Region       string `json:"region,omitempty"`
	Service      string `json:"service,omitempty"`
}

// MaxFolderDepth bounds how deeply requests can be filed.
const MaxFolderDepth = 64

// validateParts checks the fields a request may carry beyond method, URL,
// headers and body.
func (r *Request) validateParts(fail func(field, msg string) error) error {
	if err := r.validateFolder(fail); err != nil {
		return err
	}
	for i, p := range r.Params {
		if p.Name == "" {
			return fail(fmt.Sprintf("params[%d]", i), "has an empty name")
		}
	}
	if err := r.validateBody(fail); err != nil {
		return err
	}
	if r.Scheme == nil {
		return nil
	}
	if r.Auth != "" {
		return fail("scheme", "a request uses a credential (auth) or a scheme, not both")
	}
	return r.Scheme.validate(fail)
}

// validateFolder checks the request's folder path: not too deep, each
// name trimmed, not too long, printable and without '/'.
func (r *Request) validateFolder(fail func(field, msg string) error) error {
	if len(r.Folder) > MaxFolderDepth {
		return fail("folder", fmt.Sprintf("is nested deeper than %d levels", MaxFolderDepth))
	}
	for i, f := range r.Folder {
		if strings.TrimSpace(f) == "" || f != strings.TrimSpace(f) {
			return fail(fmt.Sprintf("folder[%d]", i), "is empty or has spaces around it")
		}
		if len([]rune(f)) > MaxNameLen {
			return fail(fmt.Sprintf("folder[%d]", i), fmt.Sprintf("is longer than %d characters", MaxNameLen))
		}
		if strings.IndexFunc(f, func(c rune) bool { return !unicode.IsPrint(c) }) >= 0 || strings.Contains(f, "/") {
			return fail(fmt.Sprintf("folder[%d]", i), "has a control character or '/'")
		}
	}
	return nil
}

// validateBody checks that the request has at most one of body, form and
// body file, and that its form parts are well formed.
func (r *Request) validateBody(fail func(field, msg string) error) error {
	bodies := 0
	for _, has := range []bool{r.Body != "", len(r.Form) > 0, r.BodyFile != ""} {
		if has {
			bodies++
		}
	}
	if bodies > 1 {
		return fail("body", "a request has one of body, form and bodyFile")
	}
	if r.StripLineBreaks && r.BodyFile == "" {
		return fail("stripLineBreaks", "applies to a bodyFile, and the request has none")
	}
	for i, f := range r.Form {
		if f.Name == "" {
			return fail(fmt.Sprintf("form[%d]", i), "has an empty name")
		}
		if strings.ContainsFunc(f.ContentType, func(c rune) bool { return c < 0x20 || c == 0x7f }) {
			return fail(fmt.Sprintf("form[%d]", i), "has a control character in its content type")
		}
		if f.File != "" && !f.IsFile {
			return fail(fmt.Sprintf("form[%d]", i), "names a file but is not a file part")
		}
	}
	return nil
}

// validate checks an authentication scheme: its type and required fields,
// and that its secret fields are {{variable}} references, never values.
func (s *AuthScheme) validate(fail func(field, msg string) error) error {
	switch s.Type {
	case SchemeBasic, SchemeDigest:
		if s.Username == "" {
			return fail("scheme.username", "is required")
		}
	case SchemeAWSv4:
		if s.AccessKey == "" || s.SecretKey == "" {
			return fail("scheme", "awsv4 needs accessKey and secretKey")
		}
	default:
		return fail("scheme.type", fmt.Sprintf("%q is not basic, digest or awsv4", s.Type))
	}
	for field, v := range map[string]string{"password": s.Password, "secretKey": s.SecretKey, "sessionToken": s.SessionToken} {
		if v != "" && !IsReference(v) {
			return fail("scheme."+field, "must be a {{variable}} reference (keep the value in a secret variable)")
		}
	}
	return nil
}

// IsReference reports whether s is nothing but one {{variable}} placeholder.
func IsReference(s string) bool {
	t, err := ParseTemplate(strings.TrimSpace(s))
	return err == nil && len(t.parts) == 1 && t.parts[0].name != ""
}

// FolderPath joins a folder path for display: "Payments / Refunds".
func FolderPath(folder []string) string { return strings.Join(folder, " / ") }
