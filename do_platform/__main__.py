from do_platform.cli.main import main

main()
