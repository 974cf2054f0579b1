//! Names a peer plants or predicts: named semaphores of another owner,
//! and the temporary names of creates that must not be deniable.
#![cfg(all(feature = "sem", feature = "file", feature = "std"))]

use std::os::unix::fs::PermissionsExt;

use bareipc::Errno;
use bareipc::file::replace::{self, Options};
use bareipc::sem::futex::{self, NamedSemaphore};

use crate::common::{Guard, OTHER_UID, TempDir, my_tid, unique_name};

/// Attack: another uid plants a valid semaphore file at a name the victim
/// opens, mode 0666, so that it can truncate the file under the victim's
/// mapping whenever it likes (the next `post` would raise `SIGBUS`); or
/// the victim's own file is left writable by others. Before the fix `open`
/// mapped any such file, and the handle showed no owner to check.
///
/// Asserts: `open` refuses both (`EPERM`) before mapping; the explicit
/// `open_any_owner` takes the planted one and reports its owner and mode.
#[test]
fn a_planted_or_shared_semaphore_file_is_refused() {
    let name = format!("/{}", unique_name("bareipc-hostile-sem"));
    let path = format!("/dev/shm/bareipc.sem.{}", &name[1..]);
    let _rm = Guard(|| {
        let _ = futex::unlink(&name);
    });
    // SAFETY: nobody truncates the file while this test has it mapped.
    let made = unsafe { NamedSemaphore::create(&name, 1, futex::DEFAULT_MODE) }.unwrap();
    drop(made);
    // Ours, 0600: opens.
    // SAFETY: as above.
    assert!(unsafe { NamedSemaphore::open(&name) }.is_ok());

    // Ours, but others may write it.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
    // SAFETY: as above.
    let r = unsafe { NamedSemaphore::open(&name) };
    assert_eq!(
        r.err(),
        Some(Errno::PERM),
        "a file others may write was opened"
    );

    // Another user's (a planted header), even 0600.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    // Only root can give the file away, and only to a uid mapped in its
    // user namespace (CI's qemu stages run in one that maps just root).
    let given = std::os::unix::fs::chown(&path, Some(OTHER_UID), None);
    if given.is_ok() {
        // SAFETY: as above.
        let r = unsafe { NamedSemaphore::open(&name) };
        assert_eq!(r.err(), Some(Errno::PERM), "another user's file was opened");
        // SAFETY: as above; the "other user" is this test.
        let any = unsafe { NamedSemaphore::open_any_owner(&name) }.unwrap();
        let (owner, mode) = any.owner();
        assert_eq!((owner.as_raw(), mode.as_raw_mode()), (OTHER_UID, 0o600));
    } else {
        crate::skip(
            "names::a_planted_or_shared_semaphore_file_is_refused",
            &format!("the other-owner case needs root and a mapped uid: chown: {given:?}"),
        );
    }
}

/// Attack: a peer that can predict the crate's temporary names plants
/// them first. The named semaphore's were `/dev/shm/bareipc.sem-tmp.<tid>.<n>`
/// (an init system's tid is 1), and `file::replace`'s
/// `.bareipc-<pid>-<n>`; in a sticky directory (`/dev/shm`, `/tmp`) the
/// victim cannot even remove them, and after 64 (or 32) taken names every
/// create failed with `EEXIST`.
///
/// The test plants the old names for its own tid and pid, counters 0 to
/// 1023, in `/dev/shm` and in a sticky directory. Asserts: both creates
/// succeed, and neither used a planted name (all are still there).
#[test]
fn predictable_temporary_names_cannot_be_squatted() {
    let tid = my_tid();
    let pid = std::process::id();
    let planted: Vec<String> = (0..1024)
        .map(|n| format!("/dev/shm/bareipc.sem-tmp.{tid}.{n}"))
        .collect();
    let dir = TempDir::new("bareipc-hostile-squat");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o1777)).unwrap();
    let planted_replace: Vec<_> = (0..1024u32)
        .map(|n| dir.join(format!(".bareipc-{pid:08x}-{n:08x}")))
        .collect();
    let _rm = Guard(|| {
        for p in &planted {
            let _ = std::fs::remove_file(p);
        }
    });
    for p in &planted {
        std::fs::write(p, b"squatter").unwrap();
    }
    for p in &planted_replace {
        std::fs::write(p, b"squatter").unwrap();
    }

    let name = format!("/{}", unique_name("bareipc-hostile-tmp"));
    // SAFETY: nobody truncates the file while this test has it mapped.
    let sem = unsafe { NamedSemaphore::create(&name, 0, futex::DEFAULT_MODE) };
    let _ = futex::unlink(&name);
    assert!(
        sem.is_ok(),
        "create was denied by planted names: {:?}",
        sem.err()
    );

    let target = dir.join("state");
    let dirfd = std::fs::File::open(dir.path()).unwrap();
    for named in [false, true] {
        let opts = Options::new().named_temporary(named);
        replace::replace(&dirfd, "state", b"new", &opts)
            .unwrap_or_else(|e| panic!("replace (named temporary: {named}) was denied: {e}"));
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
    }
    assert!(planted.iter().all(|p| std::path::Path::new(p).exists()));
    assert!(planted_replace.iter().all(|p| p.exists()));
}

/// Attack: the creator keeps an `UnlinkOnDrop` guard for its POSIX shared
/// memory name. Meanwhile the object is unlinked (by its owner, or by a
/// peer the name was shared with) and someone creates another object of
/// that name. Before the fix the guard's drop removed whatever had the
/// name then: the newcomer's object.
///
/// Asserts: the newcomer's object keeps its name; a guard whose object
/// still has the name removes it.
#[test]
fn unlink_on_drop_never_removes_a_newcomer() {
    use bareipc::shm::posix::{self, ShmFlags, UnlinkOnDrop};
    let name = format!("/{}", unique_name("bareipc-hostile-shm"));
    let create = ShmFlags::CREATE | ShmFlags::EXCLUSIVE;
    let ours =
        posix::open_with::<bareipc::shm::ReadWrite>(&name, create, posix::DEFAULT_MODE).unwrap();
    let guard = UnlinkOnDrop::new(&name, &ours).unwrap();
    posix::unlink(&name).unwrap();
    let newcomer =
        posix::open_with::<bareipc::shm::ReadWrite>(&name, create, posix::DEFAULT_MODE).unwrap();
    let _rm = Guard(|| {
        let _ = posix::unlink(&name);
    });
    drop(guard);
    assert!(
        std::path::Path::new(&format!("/dev/shm{name}")).exists(),
        "the guard removed the newcomer's name"
    );
    drop(newcomer);
    let again = posix::open::<bareipc::shm::ReadWrite>(&name).unwrap();
    drop(UnlinkOnDrop::new(&name, &again).unwrap());
    assert!(!std::path::Path::new(&format!("/dev/shm{name}")).exists());
}
