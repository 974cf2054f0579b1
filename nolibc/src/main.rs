//! `bareipc-nolibc`: proof that bareipc needs no C library.
//!
//! A `#![no_std]` `#![no_main]` program, linked statically with no crt
//! objects and no libc, that runs one real IPC round trip per enabled
//! family through bareipc's public API and exits with:
//!
//! | code | meaning |
//! |---|---|
//! | 0 | every check passed |
//! | 2 | startup: the initial stack is not laid out as the ELF ABI says |
//! | 10..=19 | `pipe` check: the step that failed (see [`checks::pipe::Failed`]) |
//! | 20..=29 | `socket` check: the step that failed (see [`checks::socket::Failed`]) |
//! | 30..=39 | `shm` check: the step that failed (see [`checks::shm::Failed`]) |
//! | 40..=49 | `mq` check: the step that failed (see [`checks::mq::Failed`]) |
//! | 50..=59 | `sem` check: the step that failed (see [`checks::sem::Failed`]) |
//! | 60..=69 | `signal` check: the step that failed (see [`checks::signal::Failed`]) |
//! | 70..=79 | `file` check: the step that failed (see [`checks::file::Failed`]) |
//! | 101 | panic |
//!
//! Each family gets its own block of ten codes.
//!
//! The runtime (entry point, exit, the memory functions LLVM calls) is in
//! [`rt`]; the checks are in [`checks`], one function per family.
#![no_std]
#![no_main]

mod checks;
mod rt;

/// A check failed at a step; the value is the process exit code.
type Failure = u8;

/// Exit code for a startup failure.
const STARTUP_BAD_STACK: Failure = 2;

/// Called by the per-arch `_start` (in [`rt::entry`]) with the stack pointer
/// the kernel handed to the process, before anything touched it.
///
/// The ELF ABI puts there, one word each: `argc`, `argv[0..argc]`, a NULL,
/// `envp[..]`, a NULL, then the auxiliary vector.
///
/// # Safety
/// `sp` must be the initial process stack pointer, and this function must be
/// the first Rust code that runs.
unsafe extern "C" fn start_rust(sp: *mut usize) -> ! {
    // SAFETY: `sp` points at `argc`, a readable word (caller contract).
    let argc = unsafe { *sp };
    // SAFETY: `argv` starts one word above `argc`, inside the initial stack.
    let argv = unsafe { sp.add(1) }.cast::<*mut u8>();
    // SAFETY: `envp` starts after `argc`, the `argc` argv pointers and their
    // NULL terminator: `argc + 2` words up, still inside the initial stack.
    let envp = unsafe { sp.add(argc + 2) }.cast::<*mut u8>();
    // SAFETY: `envp` is the environment block of the initial stack (above),
    // and no rustix function has run yet: this is the first call of the
    // program, as `use-explicitly-provided-auxv` requires. rustix walks past
    // envp's NULL to find the auxv (vDSO, `__kernel_vsyscall` on i686).
    unsafe { rustix::param::init(envp) };

    // SAFETY: `argv[argc]` is the word just before `envp`, inside the stack.
    let argv_end = unsafe { *argv.add(argc) };
    let code = if argv_end.is_null() {
        match run() {
            Ok(()) => 0,
            Err(code) => code,
        }
    } else {
        STARTUP_BAD_STACK
    };
    rt::exit_group(code)
}

/// Runs every enabled family's check, stopping at the first failure.
fn run() -> Result<(), Failure> {
    #[cfg(feature = "pipe")]
    checks::pipe::check().map_err(|step| step as Failure)?;
    #[cfg(feature = "socket")]
    checks::socket::check().map_err(|step| step as Failure)?;
    #[cfg(feature = "shm")]
    checks::shm::check().map_err(|step| step as Failure)?;
    #[cfg(feature = "mq")]
    checks::mq::check().map_err(|step| step as Failure)?;
    #[cfg(feature = "sem")]
    checks::sem::check().map_err(|step| step as Failure)?;
    #[cfg(feature = "signal")]
    checks::signal::check().map_err(|step| step as Failure)?;
    #[cfg(feature = "file")]
    checks::file::check().map_err(|step| step as Failure)?;
    Ok(())
}

/// A panic cannot unwind here (`panic = "abort"`, no std): exit with 101,
/// the code a Rust std program uses for a panic.
#[panic_handler]
fn panic(_info: &core::panic::PanicInfo<'_>) -> ! {
    rt::exit_group(101)
}
