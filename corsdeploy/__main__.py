from corsdeploy.cli import main

main()
