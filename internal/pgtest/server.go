// Package pgtest starts a real PostgreSQL server for a package's tests:
// initdb into a temporary directory, postgres on 127.0.0.1 at a free port,
// run as an unprivileged user, stopped and removed when the tests end. Each
// test gets a database of its own (see Server.NewDatabase).
//
// Nothing here talks to a server the tests did not start. When the
// PostgreSQL binaries are not installed the tests skip, unless
// WATCHER_REQUIRE_POSTGRES=1 (set by CI, which installs them) makes that a
// failure.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// RequireEnv names the variable that turns a missing PostgreSQL into a
// failure instead of a skip.
const RequireEnv = "WATCHER_REQUIRE_POSTGRES"

// BinEnv names a directory holding initdb and postgres, to use instead of
// the ones found on PATH or under /usr/lib/postgresql.
const BinEnv = "WATCHER_POSTGRES_BIN"

// ErrNotInstalled is wrapped by Start when initdb or postgres is missing.
var ErrNotInstalled = errors.New("PostgreSQL server binaries (initdb, postgres) not installed")

// errExited is wrapped when postgres exits while starting, which is
// worth a retry on another port.
var errExited = errors.New("postgres exited while starting")

// startTimeout bounds how long Start waits for the server to accept
// connections. It is a limit on a hung start, not a measurement.
const startTimeout = 60 * time.Second

// Server is a running PostgreSQL server owned by the tests.
type Server struct {
	dir     string // temporary directory: data/ and the unix socket
	port    int
	admin   *pgxpool.Pool
	cmd     *exec.Cmd
	exited  chan error // receives postgres's exit
	logPath string
	lock    *os.File // the owner lock of dir (see leftover.go)
	nextDB  int64
	// missing, when set, is why there is no server: NewDatabase skips.
	missing error
}

// Start runs initdb and postgres. It fails with an error wrapping
// ErrNotInstalled when the binaries are not found.
func Start(ctx context.Context) (*Server, error) {
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	cred, err := credential()
	if err != nil {
		return nil, err
	}
	removeLeftovers()
	dir, err := os.MkdirTemp("", dirPattern)
	if err != nil {
		return nil, fmt.Errorf("make PostgreSQL test directory: %w", err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	s := &Server{dir: dir, lock: lock, logPath: filepath.Join(dir, "postgres.log")}
	if err := s.start(ctx, bin, cred); err != nil {
		_ = s.Stop()
		return nil, err
	}
	return s, nil
}

// Installed reports whether the PostgreSQL server binaries can be found,
// and if not, why.
func Installed() error {
	_, err := findBin()
	return err
}

// findBin returns the directory holding initdb and postgres: BinEnv, then
// PATH, then the newest Debian install under /usr/lib/postgresql.
func findBin() (string, error) {
	if dir := os.Getenv(BinEnv); dir != "" {
		return dir, hasBins(dir)
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		if dir := filepath.Dir(p); hasBins(dir) == nil {
			return dir, nil
		}
	}
	// Debian keeps the server off PATH, one directory per major version;
	// the glob sorts them, and the last is the newest (until version 100).
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	for i := len(dirs) - 1; i >= 0; i-- {
		if hasBins(dirs[i]) == nil {
			return dirs[i], nil
		}
	}
	return "", fmt.Errorf("%w: not on PATH, not under /usr/lib/postgresql/*/bin, %s not set", ErrNotInstalled, BinEnv)
}

func hasBins(dir string) error {
	for _, name := range []string{"initdb", "postgres"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("%w: %w", ErrNotInstalled, err)
		}
	}
	return nil
}

// credential is who initdb and postgres run as. PostgreSQL refuses to run
// as root, so a root test process runs them as nobody; otherwise they run
// as the current user (nil: no change).
func credential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("nobody")
	if err != nil {
		return nil, fmt.Errorf("look up user nobody to run PostgreSQL as (it refuses root): %w", err)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("user nobody: uid %q: %w", u.Uid, err)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("user nobody: gid %q: %w", u.Gid, err)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

func (s *Server) start(ctx context.Context, bin string, cred *syscall.Credential) error {
	if cred != nil {
		if err := os.Chown(s.dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return fmt.Errorf("hand PostgreSQL test directory %s to uid %d: %w", s.dir, cred.Uid, err)
		}
	}
	data := filepath.Join(s.dir, "data")
	initdb := exec.CommandContext(ctx, filepath.Join(bin, "initdb"),
		"--pgdata", data, "--username", "postgres", "--auth", "trust",
		"--encoding", "UTF8", "--locale", "C", "--no-sync", "--no-instructions")
	initdb.Dir = s.dir
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		return fmt.Errorf("initdb in %s: %w\n%s", data, err, out)
	}
	// A port taken between our probe and postgres's bind (another test
	// binary on the machine) is retried with a new one.
	var err error
	for range 3 {
		if err = s.run(ctx, bin, data, cred); !errors.Is(err, errExited) {
			return err
		}
	}
	return err
}

// run starts postgres on a free port and waits until it takes connections.
func (s *Server) run(ctx context.Context, bin, data string, cred *syscall.Credential) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	s.port = port
	logf, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("open PostgreSQL log: %w", err)
	}
	defer logf.Close()
	args := []string{"-D", data, "-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories=" + s.dir,
		// The data lives only as long as the test binary, so a crash
		// may lose it: no fsync, no synchronous commit and no full-page
		// writes make initdb's database and every test's commits cost
		// memory copies instead of disk flushes, on a shared machine.
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		// Small, as several test binaries may run servers at once; enough
		// for the tests' pools (a few connections per replica).
		"-c", "shared_buffers=32MB", "-c", "max_connections=200",
	}
	s.cmd = exec.Command(filepath.Join(bin, "postgres"), args...)
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	// Pdeathsig kills postgres if the test binary dies without Stop (a
	// test timeout's panic): the kernel sends it when the thread that
	// started the child exits, so that thread is locked to a goroutine
	// that lives as long as postgres does.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGKILL}
	started := make(chan error, 1)
	s.exited = make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if err := s.cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		s.exited <- s.cmd.Wait()
	}()
	if err := <-started; err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	return s.waitReady(ctx)
}

// freePort asks the kernel for a free port on 127.0.0.1.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port for PostgreSQL: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitReady connects until the server answers, or reports why it exited.
func (s *Server) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	for {
		pool, err := pgxpool.New(ctx, s.URL("postgres")+"&pool_max_conns=4")
		if err == nil {
			if err = pool.Ping(ctx); err == nil {
				s.admin = pool
				return nil
			}
			pool.Close()
		}
		select {
		case exitErr := <-s.exited:
			s.cmd = nil
			return fmt.Errorf("%w (%v): %s", errExited, exitErr, s.log())
		case <-ctx.Done():
			return fmt.Errorf("postgres on port %d not ready: %w (last error %w): %s", s.port, ctx.Err(), err, s.log())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (s *Server) log() string {
	b, _ := os.ReadFile(s.logPath)
	return strings.TrimSpace(string(b))
}

// URL is the connection string of database db on the server.
func (s *Server) URL(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.port, db)
}

// Stop shuts postgres down (fast shutdown: open sessions are ended) and
// removes the temporary directory. It is safe on a partly started server.
func (s *Server) Stop() error {
	if s == nil {
		return nil
	}
	if s.admin != nil {
		s.admin.Close()
	}
	var err error
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-s.exited:
		case <-time.After(30 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.exited
			err = errors.New("postgres did not stop within 30s of SIGINT; killed")
		}
	}
	if rmErr := os.RemoveAll(s.dir); rmErr != nil && err == nil {
		err = fmt.Errorf("remove PostgreSQL test directory: %w", rmErr)
	}
	if s.lock != nil {
		_ = s.lock.Close()
	}
	return err
}
