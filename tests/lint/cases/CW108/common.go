package cases

import "errors"

// Helpers shared by the cases of this package. Nothing here may be reported.

type result struct {
	val string
	err error
}

func fetch(url string) string { return url }

func load(name string) result { return result{val: name} }

func check(u string) error {
	if u == "" {
		return errors.New("empty")
	}
	return nil
}

func find(p string) string { return p }
