// ManPageFormatter.h: CLI11 help laid out as a man page (NAME, SYNOPSIS, DESCRIPTION, OPTIONS,
// EXIT STATUS, EXAMPLES), so `tool --help` reads like `man tool` on macOS.
#pragma once

#include "Tool.h"

namespace openiokit::tools {

class ManPageFormatter final : public CLI::Formatter {
public:
    explicit ManPageFormatter(ManPage page) : page_(std::move(page)) {}
    std::string make_help(const CLI::App* app, std::string name, CLI::AppFormatMode mode) const override;

private:
    ManPage page_;
};

}  // namespace openiokit::tools
