fn main() -> std::process::ExitCode {
    konkurs::cli::main()
}
