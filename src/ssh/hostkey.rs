//! The server's own key, by which jurors' SSH clients recognise it.
//!
//! It is made on the first start and kept beside the database, readable by
//! its owner only, so that the fingerprint jurors were told stays the same
//! across restarts (a changed fingerprint makes every client warn about a
//! possible impostor).

use russh::keys::ssh_key::LineEnding;
use russh::keys::ssh_key::private::Ed25519Keypair;
use russh::keys::{HashAlg, PrivateKey};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The file name of the host key in the data directory (the name OpenSSH
/// gives its own ed25519 host key).
pub const HOST_KEY_FILE: &str = "ssh_host_ed25519_key";

/// Why the host key could not be read or made.
#[derive(Debug, thiserror::Error)]
pub enum HostKeyError {
    #[error("cannot read the SSH host key {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{path} is not an OpenSSH private key ({reason}); move it away and start again to make a new one \
         (jurors' clients will then warn that the server's key changed)"
    )]
    Invalid { path: PathBuf, reason: String },
    #[error("cannot write the SSH host key {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot make an SSH host key: {0}")]
    Random(String),
}

/// The host key: read from `dir`, or made and written there on first use.
pub struct HostKey {
    pub key: PrivateKey,
    pub path: PathBuf,
    /// Whether this start made the key.
    pub created: bool,
}

impl HostKey {
    pub fn load_or_create(dir: &Path) -> Result<HostKey, HostKeyError> {
        let path = dir.join(HOST_KEY_FILE);
        match std::fs::read(&path) {
            Ok(bytes) => {
                let key = PrivateKey::from_openssh(&bytes).map_err(|e| HostKeyError::Invalid {
                    path: path.clone(),
                    reason: e.to_string(),
                })?;
                Ok(HostKey {
                    key,
                    path,
                    created: false,
                })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = generate()?;
                write_private(&path, &key)?;
                Ok(HostKey {
                    key,
                    path,
                    created: true,
                })
            }
            Err(source) => Err(HostKeyError::Read { path, source }),
        }
    }

    /// `SHA256:...`, as `ssh-keygen -l` and the SSH client show it.
    pub fn fingerprint(&self) -> String {
        self.key.fingerprint(HashAlg::Sha256).to_string()
    }
}

fn generate() -> Result<PrivateKey, HostKeyError> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| HostKeyError::Random(e.to_string()))?;
    Ok(PrivateKey::from(Ed25519Keypair::from_seed(&seed)))
}

/// Writes the key readable by its owner only, and its `.pub` beside it.
fn write_private(path: &Path, key: &PrivateKey) -> Result<(), HostKeyError> {
    let write_err = |source| HostKeyError::Write {
        path: path.to_path_buf(),
        source,
    };
    let text = key
        .to_openssh(LineEnding::LF)
        .map_err(|e| write_err(std::io::Error::other(e.to_string())))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(write_err)?;
    file.write_all(text.as_bytes()).map_err(write_err)?;
    file.sync_all().map_err(write_err)?;
    if let Ok(public) = key.public_key().to_openssh() {
        let _ = std::fs::write(path.with_extension("pub"), format!("{public}\n"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_made_once_kept_private_and_read_back_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let first = HostKey::load_or_create(dir.path()).unwrap();
        assert!(first.created);
        assert!(first.fingerprint().starts_with("SHA256:"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&first.path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let again = HostKey::load_or_create(dir.path()).unwrap();
        assert!(!again.created);
        assert_eq!(again.fingerprint(), first.fingerprint());
    }

    #[test]
    fn a_damaged_key_file_is_reported_with_the_way_out() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(HOST_KEY_FILE), "not a key").unwrap();
        let e = HostKey::load_or_create(dir.path())
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("move it away"), "{e}");
    }
}
