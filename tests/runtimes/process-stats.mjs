// What Linux's /proc says about a server under test: which process listens on a loopback port,
// its process group, the resident memory of a group, and the CPU time a process has used. Read-only;
// processes that end meanwhile or cannot be read are skipped.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** The fields of /proc/<pid>/stat after the command name (field 3 of proc(5) is index 0). */
function statFields(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

const pids = () => readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));

/** The id of the process listening on 127.0.0.1:<port>, or undefined. */
export function listenerPid(port) {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  let inode;
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields[1] === local && fields[3] === '0A') inode = fields[9];
  }
  if (inode === undefined) return undefined;
  for (const pid of pids()) {
    let fds;
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // not ours to read, or ended
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) === `socket:[${inode}]`) return Number(pid);
      } catch {
        // closed meanwhile
      }
    }
  }
  return undefined;
}

/** The process group of a process. */
export function processGroup(pid) {
  return Number(statFields(pid)[2]);
}

/** The resident memory of every process of a process group, summed, in bytes. */
export function groupRss(pgid) {
  let total = 0;
  for (const pid of pids()) {
    try {
      if (Number(statFields(pid)[2]) !== pgid) continue;
      const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      if (kb !== undefined) total += Number(kb) * 1024;
    } catch {
      // ended meanwhile
    }
  }
  return total;
}

/** CPU time (user + system) a process has used so far, in milliseconds (10 ms resolution). */
export function cpuMs(pid) {
  const fields = statFields(pid);
  // utime and stime are fields 14 and 15 of proc(5), in clock ticks (100 per second on Linux).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
