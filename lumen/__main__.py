from lumen.cli.main import main

main()
