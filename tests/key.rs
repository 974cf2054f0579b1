//! SysV keys equal the C library's `ftok` for the same file.
#![cfg(any(feature = "shm", feature = "mq", feature = "sem"))]

mod common;

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use bareipc::Errno;
use bareipc::key::Key;
use common::TempDir;

fn libc_ftok(path: &Path, proj_id: u8) -> i32 {
    let c = CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: `c` is a NUL-terminated path that outlives the call.
    unsafe { libc::ftok(c.as_ptr(), libc::c_int::from(proj_id)) }
}

#[test]
fn same_key_as_the_c_library_ftok() {
    let dir = TempDir::new("bareipc-key");
    let file = dir.join("f");
    std::fs::write(&file, b"").unwrap();
    let link = dir.join("link");
    std::os::unix::fs::symlink(&file, &link).unwrap();
    let mut seen = Vec::new();
    for path in [file.as_path(), link.as_path(), dir.path(), Path::new("/")] {
        for proj_id in [1, b'q', 0x80, 0xff] {
            let ours = Key::from_path(path, proj_id).unwrap();
            assert_eq!(
                ours.as_raw(),
                libc_ftok(path, proj_id),
                "{path:?} {proj_id}"
            );
            seen.push(ours);
        }
    }
    // A symlink gives its target's key; the project id lands in the top byte.
    assert_eq!(
        Key::from_path(&link, 7).unwrap(),
        Key::from_path(&file, 7).unwrap()
    );
    assert_eq!(
        Key::from_path(&file, 0x80).unwrap().as_raw() as u32 >> 24,
        0x80
    );
    // Different project ids on one file give different keys.
    assert_ne!(
        Key::from_path(&file, 1).unwrap(),
        Key::from_path(&file, 2).unwrap()
    );
}

#[test]
fn errors_are_those_of_stat() {
    let dir = TempDir::new("bareipc-key");
    assert_eq!(Key::from_path(dir.join("missing"), 1), Err(Errno::NOENT));
    assert_eq!(libc_ftok(&dir.join("missing"), 1), -1);
    std::fs::write(dir.join("file"), b"").unwrap();
    assert_eq!(
        Key::from_path(dir.join("file/below"), 1),
        Err(Errno::NOTDIR)
    );
    assert_eq!(Key::from_path("nul\0inside", 1), Err(Errno::INVAL));
    assert_eq!(
        Key::from_path(&*"x".repeat(5000), 1),
        Err(Errno::NAMETOOLONG)
    );
}
