package pgtest

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// userHZ is the unit of the CPU times in /proc/<pid>/stat: USER_HZ,
// which Linux fixes at 100 for user space whatever the kernel's tick.
const userHZ = 100

// CPUTime is the processor time the server has used so far: the
// postmaster's own, that of its children that have exited (which the
// kernel adds to the parent's account when it reaps them) and that of
// the children still running (backends, checkpointer, WAL writer). A
// benchmark reads it before and after, for the database's share of the
// work. Linux only: it reads /proc.
func (s *Server) CPUTime() (time.Duration, error) {
	if s.cmd == nil || s.cmd.Process == nil {
		return 0, fmt.Errorf("no server running")
	}
	pid := s.cmd.Process.Pid
	fields, err := procStat(pid)
	if err != nil {
		return 0, err
	}
	ticks := sumFields(fields, 11, 12, 13, 14) // utime, stime, cutime, cstime
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, fmt.Errorf("read /proc: %w", err)
	}
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil || child == pid {
			continue
		}
		f, err := procStat(child)
		if err != nil || len(f) < 15 || f[1] != strconv.Itoa(pid) {
			continue // gone meanwhile, or not ours
		}
		ticks += sumFields(f, 11, 12)
	}
	return time.Duration(ticks) * time.Second / userHZ, nil
}

// procStat returns the fields of /proc/<pid>/stat after the command
// name (which may hold spaces, inside parentheses): state first, then
// ppid, and utime at index 11.
func procStat(pid int) ([]string, error) {
	raw, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return nil, err
	}
	i := strings.LastIndexByte(string(raw), ')')
	if i < 0 {
		return nil, fmt.Errorf("/proc/%d/stat: no command name", pid)
	}
	return strings.Fields(string(raw[i+1:])), nil
}

func sumFields(f []string, idx ...int) int64 {
	var n int64
	for _, i := range idx {
		if i < len(f) {
			v, _ := strconv.ParseInt(f[i], 10, 64)
			n += v
		}
	}
	return n
}
