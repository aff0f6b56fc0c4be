from migmodule.cli import main

main(prog_name="migmodule")
