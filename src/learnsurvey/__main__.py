from learnsurvey.cli import main

main()
