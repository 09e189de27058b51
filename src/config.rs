//! Turning CLI options into library settings: fingerprint keys, output files.

use crate::redact::Fingerprinter;
use anyhow::{Context, Result};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// Where the fingerprint key came from (said on stderr when it matters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    File(PathBuf),
    Created(PathBuf),
    /// No key file could be read or created: fingerprints differ between runs.
    Ephemeral,
}

fn random_key() -> io::Result<[u8; 32]> {
    let mut key = [0u8; 32];
    File::open("/dev/urandom")?.read_exact(&mut key)?;
    Ok(key)
}

/// The per-user key path: `$XDG_CONFIG_HOME/piiscan/fingerprint.key` or `~/.config/…`.
pub fn default_key_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("piiscan").join("fingerprint.key"))
}

/// Loads the fingerprint key: an explicit file, else the per-user key (created on
/// first use with mode 0600), else an ephemeral random key.
pub fn load_fingerprinter(explicit: Option<&Path>) -> Result<(Fingerprinter, KeySource)> {
    if let Some(path) = explicit {
        let material = fs::read(path)
            .with_context(|| format!("cannot read fingerprint key file {}", path.display()))?;
        anyhow::ensure!(
            material.len() >= 16,
            "fingerprint key file {} is shorter than 16 bytes",
            path.display()
        );
        return Ok((
            Fingerprinter::from_key_material(&material),
            KeySource::File(path.to_path_buf()),
        ));
    }
    if let Some(path) = default_key_path() {
        if let Ok(material) = fs::read(&path) {
            if material.len() >= 16 {
                return Ok((
                    Fingerprinter::from_key_material(&material),
                    KeySource::File(path),
                ));
            }
        }
        if let Ok(key) = random_key() {
            if write_private(&path, &key).is_ok() {
                return Ok((
                    Fingerprinter::from_key_material(&key),
                    KeySource::Created(path),
                ));
            }
        }
    }
    let key = random_key().context("cannot read /dev/urandom for a fingerprint key")?;
    Ok((Fingerprinter::from_key_material(&key), KeySource::Ephemeral))
}

fn open_private(path: &Path) -> io::Result<File> {
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)
}

fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    let mut f = open_private(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// A report file written to a temporary file (mode 0600) beside the target and
/// renamed into place on `commit`, so a reader never sees half a report.
/// Dropped without `commit`, the temporary file is removed.
pub struct PrivateFile {
    /// `None` when writing straight to a device or pipe (`-o /dev/null`, `-o /dev/stdout`).
    tmp: Option<PathBuf>,
    target: PathBuf,
    file: Option<io::BufWriter<File>>,
}

impl PrivateFile {
    pub fn create(target: &Path) -> Result<PrivateFile> {
        // A device or FIFO is written to directly: renaming over it would replace
        // `/dev/null` with a regular file.
        if fs::metadata(target).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
            let file = fs::OpenOptions::new()
                .write(true)
                .open(target)
                .with_context(|| format!("cannot open {}", target.display()))?;
            return Ok(PrivateFile {
                tmp: None,
                target: target.to_path_buf(),
                file: Some(io::BufWriter::new(file)),
            });
        }
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "report".into());
        let tmp = target.with_file_name(format!(".{name}.piiscan-{}.tmp", std::process::id()));
        let _ = fs::remove_file(&tmp);
        let file = open_private(&tmp)
            .with_context(|| format!("cannot create report file {}", target.display()))?;
        Ok(PrivateFile {
            tmp: Some(tmp),
            target: target.to_path_buf(),
            file: Some(io::BufWriter::new(file)),
        })
    }

    pub fn commit(mut self) -> Result<()> {
        let file = self.file.take().expect("not yet committed");
        let file = file.into_inner().map_err(|e| e.into_error())?;
        let Some(tmp) = self.tmp.take() else {
            return Ok(());
        };
        file.sync_all()?;
        fs::rename(&tmp, &self.target)
            .with_context(|| format!("cannot write report file {}", self.target.display()))
    }
}

impl Write for PrivateFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.as_mut().expect("open").write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.file.as_mut().expect("open").flush()
    }
}

impl Drop for PrivateFile {
    fn drop(&mut self) {
        if let (Some(_), Some(tmp)) = (&self.file, &self.tmp) {
            let _ = fs::remove_file(tmp);
        }
    }
}

#[cfg(all(test, unix))]
mod private_file_tests {
    use super::*;
    use std::io::Read;
    use std::os::unix::fs::FileTypeExt;

    /// `-o /dev/null` or a FIFO is written to directly: renaming a temporary file over
    /// it would replace the device (as root, `/dev/null` would become a 0600 file).
    #[test]
    fn a_fifo_target_is_written_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("out.fifo");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || {
                let mut s = String::new();
                File::open(&fifo).unwrap().read_to_string(&mut s).unwrap();
                s
            })
        };
        let mut f = PrivateFile::create(&fifo).unwrap();
        f.write_all(b"report").unwrap();
        f.commit().unwrap();
        assert_eq!(reader.join().unwrap(), "report");
        assert!(fs::metadata(&fifo).unwrap().file_type().is_fifo());
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file left"
        );
    }

    #[test]
    fn a_regular_target_is_replaced_atomically_with_mode_0600() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("report.json");
        fs::write(&target, "old").unwrap();
        let mut f = PrivateFile::create(&target).unwrap();
        f.write_all(b"new").unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "old", "not yet");
        f.commit().unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "new");
        let mode = fs::metadata(&target).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}
