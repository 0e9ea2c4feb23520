"""System libraries from Debian packages, each entered as a local repository.

Headers live in /usr/include, which is one of the compiler's builtin include directories, so the
targets below only carry link options. tools/bootstrap.sh installs the packages named here.
"""

# name -> (Debian package, BUILD content)
_LIBS = {
    # libgtest-dev, libgmock-dev
    "gtest": """
cc_library(name = "gtest", linkopts = ["-lgtest", "-pthread"], visibility = ["//visibility:public"])
cc_library(name = "gtest_main", linkopts = ["-lgtest_main", "-lgtest", "-pthread"], visibility = ["//visibility:public"])
cc_library(name = "gmock", linkopts = ["-lgmock", "-lgtest", "-pthread"], visibility = ["//visibility:public"])
cc_library(name = "gmock_main", linkopts = ["-lgmock_main", "-lgmock", "-lgtest", "-pthread"], visibility = ["//visibility:public"])
""",
    # libbenchmark-dev
    "benchmark": """
cc_library(name = "benchmark", linkopts = ["-lbenchmark", "-pthread"], visibility = ["//visibility:public"])
cc_library(name = "benchmark_main", linkopts = ["-lbenchmark_main", "-lbenchmark", "-pthread"], visibility = ["//visibility:public"])
""",
    # libboost-dev, libboost-system-dev (Asio is header-only)
    "boost": """
cc_library(name = "asio", defines = ["BOOST_ASIO_NO_DEPRECATED"], linkopts = ["-pthread"], visibility = ["//visibility:public"])
""",
    # libpcap-dev
    "pcap": """
cc_library(name = "pcap", linkopts = ["-lpcap"], visibility = ["//visibility:public"])
""",
    # nlohmann-json3-dev (header-only)
    "nlohmann_json": """
cc_library(name = "json", visibility = ["//visibility:public"])
""",
    # libcli11-dev (header-only)
    "cli11": """
cc_library(name = "cli11", visibility = ["//visibility:public"])
""",
    # libfmt-dev
    "fmt": """
cc_library(name = "fmt", linkopts = ["-lfmt"], visibility = ["//visibility:public"])
""",
    # libexpected-dev (header-only tl::expected)
    "expected": """
cc_library(name = "expected", visibility = ["//visibility:public"])
""",
    # libisal-dev: crc32_iscsi() == ceph_crc32c()
    "isal": """
cc_library(name = "isal", linkopts = ["-lisal"], visibility = ["//visibility:public"])
""",
    # libssl-dev (SHA-256 for JSON dumps of long byte strings)
    "openssl": """
cc_library(name = "crypto", linkopts = ["-lcrypto"], visibility = ["//visibility:public"])
""",
    # librados-dev, libradospp-dev (scenario driver and side-by-side benchmarks)
    "rados": """
cc_library(name = "rados", linkopts = ["-lrados"], visibility = ["//visibility:public"])
""",
}

def system_libraries():
    for name, content in _LIBS.items():
        native.new_local_repository(
            name = name,
            path = "/usr/include",
            build_file_content = content,
        )
