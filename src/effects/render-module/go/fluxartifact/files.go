package fluxartifact

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/fluxcd/pkg/sourceignore"
	"github.com/fluxcd/pkg/sourceignore/gitignore"
)

// Files is what the artifact is made in: the calls source-controller's code makes of the operating system's files,
// as os and filepath make them. OS is the operating system's (WebAssembly: the worker's memory answers them); the
// native render helper hands its own memory (../memtree.go).
type Files interface {
	// Open is os.Open, for reading.
	Open(name string) (io.ReadCloser, error)
	ReadDir(name string) ([]fs.DirEntry, error)
	Lstat(name string) (fs.FileInfo, error)
	Remove(name string) error
	// Walk is filepath.Walk.
	Walk(root string, fn filepath.WalkFunc) error
}

// OS is Files of the os and filepath packages.
type OS struct{}

func (OS) Open(name string) (io.ReadCloser, error)      { return os.Open(name) }
func (OS) ReadDir(name string) ([]fs.DirEntry, error)   { return os.ReadDir(name) }
func (OS) Lstat(name string) (fs.FileInfo, error)       { return os.Lstat(name) }
func (OS) Remove(name string) error                     { return os.Remove(name) }
func (OS) Walk(root string, fn filepath.WalkFunc) error { return filepath.Walk(root, fn) }

// loadIgnorePatterns is fluxcd/pkg/sourceignore v0.18.0's LoadIgnorePatterns over `files`: the `.sourceignore` of
// `dir`, then each folder's but `.git`'s in name order, each file's patterns scoped to its folder.
func loadIgnorePatterns(files Files, dir string, domain []string) ([]gitignore.Pattern, error) {
	dom := make([]string, len(domain))
	copy(dom, domain)
	ps, err := readIgnoreFile(files, filepath.Join(dir, sourceignore.IgnoreFile), dom)
	if err != nil {
		return nil, err
	}
	fis, err := files.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, fi := range fis {
		if fi.IsDir() && fi.Name() != ".git" {
			subps, err := loadIgnorePatterns(files, filepath.Join(dir, fi.Name()), append(dom, fi.Name()))
			if err != nil {
				return nil, err
			}
			ps = append(ps, subps...)
		}
	}
	return ps, nil
}

// readIgnoreFile is sourceignore's ReadIgnoreFile over `files`: a file that is not there holds no pattern.
func readIgnoreFile(files Files, path string, domain []string) ([]gitignore.Pattern, error) {
	f, err := files.Open(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return sourceignore.ReadPatterns(f, domain), nil
}
