package secrets

import (
	"fmt"
	"net/url"
	"strings"
)

// withCredentials is the URL in variable (named by the secret variable
// from) with its userinfo replaced: user, or the URL's own username when
// user is nil, and password. net/url escapes them, so any character of a
// generated password survives the round trip through the drivers'
// url.Parse.
//
// Its errors name the variable but never wrap url.Parse's error, whose
// text quotes the URL and so whatever credentials it already holds.
func withCredentials(variable, from, raw string, user *string, password string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", fmt.Errorf("secrets: %s is set but %s is empty: the secret holds only the credentials, %s the host to use them on", from, variable, variable)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", fmt.Errorf("secrets: %s cannot be parsed as a scheme://host/… URL to put %s's credentials in", variable, from)
	}
	name := u.User.Username()
	if user != nil {
		name = *user
	}
	u.User = url.UserPassword(name, password)
	return u.String(), nil
}
