from ventanilla.cli import main

main()
