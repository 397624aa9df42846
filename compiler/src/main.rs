//! The `millwright` command line: a thin shell that reads files, calls the library and prints.
//! Exit codes: 0 success (warnings allowed), 1 errors in the input, 2 usage or I/O problems.

mod cli;

fn main() {
    std::process::exit(cli::main());
}
