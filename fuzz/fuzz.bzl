"""cephwire_fuzz_test: libFuzzer targets without rules_fuzzing (which needs downloads).

cephwire_fuzz_test(name, srcs, corpus, dict, deps, options) makes:
  <name>      a cc_test in every build: replays every input of the corpus directory (recursively,
              so corpus/<target>/regressions/ too) through LLVMFuzzerTestOneInput, built with the
              default compiler so fuzz code never rots.
  <name>_bin  under --config=fuzz: the libFuzzer binary (clang-16, -fsanitize=fuzzer,address,undefined);
              in other configs the same replay program as <name>.
  <name>_run  `bazel run --config=fuzz //fuzz:<name>_run -- [libFuzzer flags]` fuzzes with the
              corpus, dictionary and options file.
  <name>_mutator_test  (custom_mutator = True) a cc_test in every build: runs the target's
              LLVMFuzzerCustomMutator in chains over the corpus and every mutant through
              LLVMFuzzerTestOneInput (fuzz/mutator_test_main.cc).
"""

def cephwire_fuzz_test(name, srcs, corpus, dict = None, deps = [], options = None, size = "small",
                       custom_mutator = False, **kwargs):
    corpus_dir = "corpus/" + corpus
    corpus_label = "//corpus:" + corpus
    native.cc_binary(
        name = name + "_bin",
        srcs = srcs,
        deps = deps + select({
            "//fuzz:fuzzing": [],
            "//conditions:default": ["//fuzz:replay_main"],
        }),
        linkopts = select({
            "//fuzz:fuzzing": ["-fsanitize=fuzzer"],
            "//conditions:default": [],
        }),
        **kwargs
    )
    native.cc_test(
        name = name,
        srcs = srcs,
        deps = deps + ["//fuzz:replay_main"],
        data = [corpus_label],
        args = [corpus_dir],
        size = size,
        **kwargs
    )
    run_data = [":" + name + "_bin", corpus_label]
    run_args = ["$(rootpath :" + name + "_bin)", corpus_dir]
    if dict:
        run_data.append(dict)
        run_args.append("-dict=$(rootpath " + dict + ")")
    if options:
        run_data.append(options)
        run_args.append("-options=$(rootpath " + options + ")")
    else:
        run_args.append("-options=")
    native.sh_binary(
        name = name + "_run",
        srcs = ["//fuzz:run_fuzzer.sh"],
        data = run_data,
        args = run_args,
    )
    if custom_mutator:
        native.cc_test(
            name = name + "_mutator_test",
            srcs = srcs,
            deps = deps + ["//fuzz:mutator_test_main"],
            data = [corpus_label],
            args = [corpus_dir],
            size = size,
            **kwargs
        )
