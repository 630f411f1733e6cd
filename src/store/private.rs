//! The database directory is private to the OS user who owns it.
//!
//! A database holds every score and justification, blind stages included,
//! and whoever can copy it can open the copy as its coordinator. So the
//! directory is 0700 and everything in it 0600 (0700 for directories):
//! sled's own files (`db`, `conf`, `snap.*`, `blobs/`), `konkurs.log`,
//! `serve.json`, the SSH host key, `control.sock`, `exports/` and
//! `backups/`.
//!
//! Opening a database sets the process's umask to deny group and others
//! everything, so that whatever konkurs creates from then on — sled's
//! snapshots and blobs, logs, exports — is born private; and it takes
//! group and other permissions away from anything in the directory that
//! has them (a database made by an older konkurs, or copied in), writing
//! each change to `konkurs.log`.

use std::io;
use std::path::{Path, PathBuf};

/// The server's and the workstation's log, in the database directory.
pub const LOG_FILE: &str = "konkurs.log";

/// A file or directory that was open to others, and was made private.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tightened {
    /// The path inside the database directory.
    pub path: PathBuf,
    /// Its permission bits before and after (`0o644` → `0o600`).
    pub was: u32,
    pub now: u32,
}

/// Makes every file this process creates from now on private to its
/// owner: the umask keeps its bits and gains group and other.
pub fn deny_others() {
    #[cfg(unix)]
    {
        // SAFETY: umask only swaps the process's file creation mask; it
        // cannot fail and touches no memory.
        let old = unsafe { libc::umask(0o077) };
        unsafe { libc::umask(old | 0o077) };
    }
}

/// Takes group and other permissions away from `dir` and everything in it
/// (symbolic links are left alone, and not followed); says what changed.
pub fn tighten(dir: &Path) -> io::Result<Vec<Tightened>> {
    let mut out = Vec::new();
    #[cfg(unix)]
    tighten_into(dir, dir, &mut out)?;
    Ok(out)
}

#[cfg(unix)]
fn tighten_into(root: &Path, path: &Path, out: &mut Vec<Tightened>) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        // Gone meanwhile (a temporary file of sled's): nothing to tighten.
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    if meta.file_type().is_symlink() {
        return Ok(());
    }
    let was = meta.permissions().mode() & 0o7777;
    if was & 0o077 != 0 {
        let now = was & !0o077;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(now))?;
        out.push(Tightened {
            path: path.strip_prefix(root).unwrap_or(path).to_path_buf(),
            was,
            now,
        });
    }
    if meta.is_dir() {
        for item in std::fs::read_dir(path)? {
            tighten_into(root, &item?.path(), out)?;
        }
    }
    Ok(())
}

/// Appends what was tightened to `konkurs.log` in `dir`, one line each.
pub fn log(dir: &Path, tightened: &[Tightened]) {
    use std::io::Write;
    if tightened.is_empty() {
        return;
    }
    let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join(LOG_FILE))
    else {
        return;
    };
    let at = chrono::Local::now().format("%Y-%m-%d %H:%M:%S%.3f %z");
    for t in tightened {
        let name = if t.path.as_os_str().is_empty() {
            ".".into()
        } else {
            t.path.display().to_string()
        };
        let _ = writeln!(
            f,
            "{at} konkurs: {name} was open to other users ({:04o}); made private ({:04o})",
            t.was, t.now
        );
    }
}
