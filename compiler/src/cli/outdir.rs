//! Writing `build`'s files into an output folder without ever losing a file Millwright did not
//! write, and all-or-nothing across every target.
//!
//! Each target folder (`DIR/terraform`, …) holds a manifest, `.millwright-manifest`, listing the
//! files the last build wrote with a hash of their contents. A build replaces or removes only the
//! files listed there whose contents are still what it wrote; every other file is kept. A generated
//! path that collides with a file not in the manifest, or with a listed file that was edited since,
//! is an E1004 error naming the files, unless `--force`.
//!
//! The folder is locked (`DIR/.millwright.lock`) for the whole build; a second build fails with
//! E1005 before touching anything. New files are staged inside DIR (`DIR/.millwright-staging-<pid>`,
//! so DIR may be a mount point or a link to another file system), and a journal
//! (`DIR/.millwright-journal`) lists the moves before the first one is made. The journal's removal
//! is the commit: a build that stopped before it (killed, a permission error) is rolled back by the
//! next one, which then removes the stale staging folder.

use millwright::diag::{codes, Diagnostic};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
#[cfg(test)]
use std::path::PathBuf;
use std::path::{Component, Path};

/// The manifest file inside each target folder.
pub const MANIFEST: &str = ".millwright-manifest";
/// The lock file in the output folder; it stays there (removing a lock file races with its users).
pub const LOCK: &str = ".millwright.lock";
/// The journal of an unfinished commit, in the output folder.
pub const JOURNAL: &str = ".millwright-journal";
/// The prefix of staging folders in the output folder.
pub const STAGING_PREFIX: &str = ".millwright-staging-";
const JOURNAL_HEADER: &str = "millwright build journal 1";

/// Why nothing was written.
pub enum Failure {
    /// A reason the user can act on, as a diagnostic (E1004, E1005).
    Refused(Diagnostic),
    Io(std::io::Error),
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Failure {
        Failure::Io(e)
    }
}

/// What a successful write did, for the closing message.
#[derive(Debug, Default)]
pub struct Written {
    /// Per target folder, the files and folders kept because Millwright did not write them (or
    /// they were edited after it did).
    pub kept: BTreeMap<String, Vec<String>>,
    /// Stale generated files removed (listed in the old manifest, no longer generated).
    pub removed: usize,
}

/// One file move of the commit, as the journal lists it: `path` relative to the output folder,
/// whether an old file is moved out of the way, whether a new one is moved in.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Move {
    path: String,
    old: bool,
    new: bool,
}

/// A hash of file contents for the manifest: 64-bit FNV-1a. It detects edits, not attackers: a
/// user who forges a matching file only loses what they forged.
fn content_hash(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn manifest_text(files: &BTreeMap<String, u64>) -> String {
    let mut text = String::from("# Files millwright build wrote here, with a hash of each (FNV-1a 64). Do not edit.\n");
    for (path, hash) in files {
        text.push_str(&format!("{hash:016x}  {path}\n"));
    }
    text
}

fn parse_manifest(text: &str) -> BTreeMap<String, u64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once("  "))
        .filter_map(|(hash, path)| Some((path.to_string(), u64::from_str_radix(hash, 16).ok()?)))
        .collect()
}

/// A generated path must stay inside its target folder: relative, no `..`, at least two parts.
fn split_target(path: &str) -> Option<(&str, &str)> {
    let ok = Path::new(path).components().all(|c| matches!(c, Component::Normal(_)));
    let (target, rest) = path.split_once('/')?;
    (ok && !target.is_empty() && !rest.is_empty() && !path.contains('\\')).then_some((target, rest))
}

/// Writes `files` (paths like `terraform/main.tf`) into `out`.
pub fn write(out: &Path, files: &[(String, Vec<u8>)], force: bool) -> Result<Written, Failure> {
    std::fs::create_dir_all(out)?;
    let lock_file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(out.join(LOCK))?;
    match lock_file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            return Err(Failure::Refused(
                Diagnostic::new(
                    codes::E1005,
                    format!("another `millwright build` is writing {}; nothing was written", out.display()),
                )
                .help("wait for it to finish and build again; the lock is released when that build exits"),
            ))
        }
        Err(std::fs::TryLockError::Error(e)) => return Err(Failure::Io(e)),
    }
    recover(out)?;
    let result = write_locked(out, files, force, &mut |from, to| std::fs::rename(from, to));
    drop(lock_file);
    result
}

/// Rolls back a commit a previous build left unfinished, then removes stale staging folders.
/// Called with the lock held, so no other build is using them.
pub fn recover(out: &Path) -> std::io::Result<()> {
    let journal = out.join(JOURNAL);
    match std::fs::read_to_string(&journal) {
        Ok(text) => {
            if let Some((staging, moves)) = parse_journal(&text) {
                roll_back(out, &out.join(staging), &moves)?;
            }
            std::fs::remove_file(&journal)?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    for entry in std::fs::read_dir(out)? {
        let entry = entry?;
        if entry.file_name().to_string_lossy().starts_with(STAGING_PREFIX) && entry.file_type()?.is_dir() {
            std::fs::remove_dir_all(entry.path())?;
        }
    }
    Ok(())
}

fn journal_text(staging: &str, moves: &[Move]) -> String {
    let mut text = format!("{JOURNAL_HEADER}\nstaging\t{staging}\n");
    for m in moves {
        let flags = format!("{}{}", if m.old { 'o' } else { '-' }, if m.new { 'n' } else { '-' });
        text.push_str(&format!("move\t{flags}\t{}\n", m.path));
    }
    text
}

fn parse_journal(text: &str) -> Option<(String, Vec<Move>)> {
    let mut lines = text.lines();
    if lines.next()? != JOURNAL_HEADER {
        return None;
    }
    let staging = lines.next()?.strip_prefix("staging\t")?.to_string();
    if !staging.starts_with(STAGING_PREFIX) || staging.contains('/') {
        return None;
    }
    let mut moves = Vec::new();
    for line in lines {
        let mut parts = line.splitn(3, '\t');
        let (Some("move"), Some(flags), Some(path)) = (parts.next(), parts.next(), parts.next()) else {
            return None;
        };
        split_target(path)?;
        moves.push(Move { path: path.to_string(), old: flags.starts_with('o'), new: flags.ends_with('n') });
    }
    Some((staging, moves))
}

/// Undoes the moves that were made, last first. Which were made is read off the folders: a new file
/// no longer in staging was moved in; an old file found among the backups was moved out.
fn roll_back(out: &Path, staging: &Path, moves: &[Move]) -> std::io::Result<()> {
    for m in moves.iter().rev() {
        let dest = out.join(&m.path);
        let staged = staging.join("new").join(&m.path);
        let backup = staging.join("old").join(&m.path);
        if m.new && !staged.exists() && dest.symlink_metadata().is_ok() {
            std::fs::remove_file(&dest)?;
            remove_empty_parents(out, &dest);
        }
        if m.old && backup.symlink_metadata().is_ok() {
            if let Some(dir) = dest.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::rename(&backup, &dest)?;
        }
    }
    Ok(())
}

/// Removes the folders above `path` that are empty now, up to the target folder.
fn remove_empty_parents(out: &Path, path: &Path) {
    let mut dir = path.parent();
    while let Some(d) = dir {
        if d.parent() == Some(out) || d == out || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

/// The file at `path` as it matters here: absent, a regular file with its hash, or something else
/// (a folder, a link) that is never replaced silently.
enum Existing {
    Absent,
    File(u64),
    Other,
}

fn existing(path: &Path) -> std::io::Result<Existing> {
    match path.symlink_metadata() {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Existing::Absent),
        // A file where a folder of the path should be.
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => Ok(Existing::Other),
        Err(e) => Err(e),
        Ok(m) if m.is_file() => Ok(Existing::File(content_hash(&std::fs::read(path)?))),
        Ok(_) => Ok(Existing::Other),
    }
}

type Rename<'a> = dyn FnMut(&Path, &Path) -> std::io::Result<()> + 'a;

fn write_locked(out: &Path, files: &[(String, Vec<u8>)], force: bool, rename: &mut Rename) -> Result<Written, Failure> {
    // Group the new files by target folder, with their hashes.
    let mut by_target: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for (path, bytes) in files {
        let Some((target, rest)) = split_target(path) else {
            return Err(Failure::Io(std::io::Error::other(format!(
                "a target produced the path `{path}`, which is not inside its folder"
            ))));
        };
        by_target.entry(target.to_string()).or_default().insert(rest.to_string(), content_hash(bytes));
    }
    // Decide every move before making one, and refuse before touching anything.
    let mut moves = Vec::new();
    let mut conflicts = Vec::new();
    let mut written = Written::default();
    for (target, new_files) in &by_target {
        let folder = out.join(target);
        let old_manifest = match std::fs::read_to_string(folder.join(MANIFEST)) {
            Ok(text) => parse_manifest(&text),
            Err(_) => BTreeMap::new(),
        };
        for path in new_files.keys() {
            match existing(&folder.join(path))? {
                Existing::Absent => moves.push(Move { path: format!("{target}/{path}"), old: false, new: true }),
                Existing::File(hash) => {
                    match old_manifest.get(path) {
                        Some(&listed) if listed == hash => {}
                        Some(_) if !force => conflicts.push(format!("{target}/{path} (edited since the last build)")),
                        None if !force => conflicts.push(format!("{target}/{path} (not written by Millwright)")),
                        _ => {}
                    }
                    moves.push(Move { path: format!("{target}/{path}"), old: true, new: true });
                }
                Existing::Other => conflicts
                    .push(format!("{target}/{path} (a folder, a link or a file where a folder belongs is in the way)")),
            }
        }
        for (path, listed) in &old_manifest {
            if new_files.contains_key(path) {
                continue;
            }
            // No longer generated: removed if it is still what Millwright wrote, else kept.
            if let Existing::File(hash) = existing(&folder.join(path))? {
                if hash == *listed {
                    moves.push(Move { path: format!("{target}/{path}"), old: true, new: false });
                    written.removed += 1;
                }
            }
        }
        let manifest_path = format!("{target}/{MANIFEST}");
        let manifest_exists = !matches!(existing(&out.join(&manifest_path))?, Existing::Absent);
        moves.push(Move { path: manifest_path, old: manifest_exists, new: true });
    }
    if !conflicts.is_empty() {
        let shown: Vec<&str> = conflicts.iter().take(10).map(String::as_str).collect();
        let more = conflicts.len().saturating_sub(shown.len());
        return Err(Failure::Refused(
            Diagnostic::new(
                codes::E1004,
                format!(
                    "{} {} in {} would be overwritten: {}{}; nothing was written",
                    conflicts.len(),
                    if conflicts.len() == 1 { "file" } else { "files" },
                    out.display(),
                    shown.join(", "),
                    if more > 0 { format!(", and {more} more") } else { String::new() }
                ),
            )
            .help(
                "move them out of the way, or pass `--force` to overwrite them; \
                 files Millwright does not generate are kept either way",
            ),
        ));
    }
    // Stage the new files and manifests inside the output folder.
    let staging_name = format!("{STAGING_PREFIX}{}", std::process::id());
    let staging = out.join(&staging_name);
    std::fs::create_dir(&staging)?;
    let staged = (|| -> std::io::Result<()> {
        for (path, bytes) in files {
            write_new(&staging.join("new").join(path), bytes)?;
        }
        for (target, new_files) in &by_target {
            write_new(&staging.join("new").join(target).join(MANIFEST), manifest_text(new_files).as_bytes())?;
        }
        std::fs::create_dir_all(staging.join("old"))?;
        let journal_tmp = staging.join("journal");
        write_new(&journal_tmp, journal_text(&staging_name, &moves).as_bytes())?;
        std::fs::rename(&journal_tmp, out.join(JOURNAL))
    })();
    if let Err(e) = staged {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(Failure::Io(e));
    }
    // The commit: every move, then the journal's removal. Any failure rolls back what was done.
    let committed = (|| -> std::io::Result<()> {
        for m in &moves {
            let dest = out.join(&m.path);
            if m.old {
                let backup = staging.join("old").join(&m.path);
                if let Some(dir) = backup.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                rename(&dest, &backup)?;
            }
            if m.new {
                if let Some(dir) = dest.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                rename(&staging.join("new").join(&m.path), &dest)?;
            } else {
                remove_empty_parents(out, &dest);
            }
        }
        sync_dir(out);
        std::fs::remove_file(out.join(JOURNAL))
    })();
    if let Err(e) = committed {
        let undone = roll_back(out, &staging, &moves).and_then(|()| std::fs::remove_file(out.join(JOURNAL)));
        if undone.is_ok() {
            let _ = std::fs::remove_dir_all(&staging);
        }
        return Err(Failure::Io(e));
    }
    let _ = std::fs::remove_dir_all(&staging);
    for (target, new_files) in &by_target {
        let mut kept = Vec::new();
        user_entries(&out.join(target), new_files, "", &mut kept);
        if !kept.is_empty() {
            written.kept.insert(target.clone(), kept);
        }
    }
    Ok(written)
}

fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Makes the renames durable where the platform allows opening a folder.
fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// The files and folders under a target folder that Millwright did not write; a folder holding no
/// generated file is listed once, as `name/`.
fn user_entries(dir: &Path, generated: &BTreeMap<String, u64>, prefix: &str, found: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut names: BTreeSet<(String, bool)> = BTreeSet::new();
    for entry in entries.flatten() {
        let is_dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false);
        names.insert((entry.file_name().to_string_lossy().into_owned(), is_dir));
    }
    for (name, is_dir) in names {
        let rel = format!("{prefix}{name}");
        if rel == MANIFEST {
            continue;
        }
        if is_dir {
            let inner = format!("{rel}/");
            if generated.keys().any(|g| g.starts_with(&inner)) {
                user_entries(&dir.join(&name), generated, &inner, found);
            } else {
                found.push(inner);
            }
        } else if !generated.contains_key(&rel) {
            found.push(rel);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    fn staging_path(out: &Path) -> PathBuf {
        out.join(format!("{STAGING_PREFIX}{}", std::process::id()))
    }

    fn temp(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("millwright-outdir-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    fn files(version: &str) -> Vec<(String, Vec<u8>)> {
        vec![
            ("terraform/main.tf".to_string(), format!("main {version}").into_bytes()),
            ("terraform/modules/racks.tf".to_string(), format!("racks {version}").into_bytes()),
            ("kubernetes/ns.yaml".to_string(), format!("ns {version}").into_bytes()),
        ]
    }

    fn read(out: &Path, path: &str) -> String {
        std::fs::read_to_string(out.join(path)).unwrap()
    }

    #[test]
    fn a_failure_part_way_through_the_commit_leaves_the_previous_output_whole() {
        let out = temp("rollback");
        assert!(write(&out, &files("1"), false).is_ok());
        std::fs::write(out.join("terraform/backend.tf"), "mine").unwrap();
        for fail_at in 0..8 {
            let mut calls = 0;
            let mut failing = |from: &Path, to: &Path| {
                calls += 1;
                if calls > fail_at {
                    Err(std::io::Error::other("injected"))
                } else {
                    std::fs::rename(from, to)
                }
            };
            let result = write_locked(&out, &files("2"), false, &mut failing);
            assert!(matches!(result, Err(Failure::Io(_))), "fail_at {fail_at}");
            assert_eq!(read(&out, "terraform/main.tf"), "main 1", "fail_at {fail_at}");
            assert_eq!(read(&out, "terraform/modules/racks.tf"), "racks 1");
            assert_eq!(read(&out, "kubernetes/ns.yaml"), "ns 1");
            assert_eq!(read(&out, "terraform/backend.tf"), "mine");
            assert!(!out.join(JOURNAL).exists() && !staging_path(&out).exists(), "fail_at {fail_at}");
        }
        assert!(write(&out, &files("2"), false).is_ok());
        assert_eq!(read(&out, "terraform/main.tf"), "main 2");
        let _ = std::fs::remove_dir_all(&out);
    }

    #[test]
    fn an_interrupted_commit_is_rolled_back_by_the_next_build() {
        let out = temp("interrupted");
        assert!(write(&out, &files("1"), false).is_ok());
        // A build killed after its first move left the journal, the staging folder, the old
        // main.tf among the backups and the new one in place; the next build rolls it back.
        let staging = staging_path(&out);
        std::fs::create_dir_all(staging.join("old/terraform")).unwrap();
        std::fs::create_dir_all(staging.join("new/terraform")).unwrap();
        std::fs::rename(out.join("terraform/main.tf"), staging.join("old/terraform/main.tf")).unwrap();
        std::fs::write(out.join("terraform/main.tf"), "main 2").unwrap();
        std::fs::write(staging.join("new/terraform/modules.tf"), "unmoved").unwrap();
        let moves = vec![
            Move { path: "terraform/main.tf".into(), old: true, new: true },
            Move { path: "terraform/modules.tf".into(), old: false, new: true },
        ];
        let name = staging.file_name().unwrap().to_string_lossy().into_owned();
        std::fs::write(out.join(JOURNAL), journal_text(&name, &moves)).unwrap();
        recover(&out).unwrap();
        assert_eq!(read(&out, "terraform/main.tf"), "main 1");
        assert!(!out.join("terraform/modules.tf").exists());
        assert!(!out.join(JOURNAL).exists() && !staging.exists());
        let _ = std::fs::remove_dir_all(&out);
    }

    #[test]
    fn the_journal_round_trips_and_rejects_paths_outside_the_folder() {
        let moves = vec![
            Move { path: "terraform/a.tf".into(), old: true, new: false },
            Move { path: "kubernetes/b c.yaml".into(), old: false, new: true },
        ];
        let text = journal_text(".millwright-staging-7", &moves);
        assert_eq!(parse_journal(&text), Some((".millwright-staging-7".to_string(), moves)));
        assert_eq!(parse_journal(&text.replace("terraform/a.tf", "../a.tf")), None);
        assert_eq!(parse_journal(&text.replace(".millwright-staging-7", "../elsewhere")), None);
        assert!(split_target("/etc/passwd").is_none() && split_target("terraform").is_none());
    }
}
