from briefer.cli.app import main

main()
