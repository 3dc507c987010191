"""Every English/中文 message of the course's tools, and how a message is shown.

Why one catalogue: every message an instructor or a student sees from the tools (command line,
logs, feedback pages, the notes the grader writes into a graded notebook) must exist in both
languages. Defining each pair here, once, makes that checkable (``tests/unit`` walks this module)
and keeps the wording consistent.

A :class:`Message` is a pair of templates. ``MESSAGE.format(name=value)`` fills both; a value that
is itself a Message contributes its English part to the English text and its Chinese part to the
Chinese text. How it is shown depends on where:

* ``text()``   -- terminal and logs: the English line, then the Chinese line (the same layout as
  ``gc_utils.bilingual``, the student-side helper that cannot import this package);
* ``inline()`` -- one line (progress bar, table heading, an error value in a notebook): ``en / 中文``;
* ``html()``   -- a web page: both lines, escaped, joined by ``<br>``.

The narrative cells of the notebook are not here: they carry their language as cell metadata
(``metadata.lang``).
"""

import html
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Message:
    """One message in English and Chinese (templates in ``str.format`` syntax)."""

    en: str
    zh: str

    def format(self, **values: object) -> "Message":
        """Fill the templates of both languages; a Message value gives each language its own part."""
        en = {k: v.en if isinstance(v, Message) else v for k, v in values.items()}
        zh = {k: v.zh if isinstance(v, Message) else v for k, v in values.items()}
        return Message(self.en.format(**en), self.zh.format(**zh))

    def text(self) -> str:
        """For a terminal or a log: English line, then Chinese line."""
        return "{}\n{}".format(self.en, self.zh)

    def inline(self) -> str:
        """On one line: ``English / 中文``."""
        return "{} / {}".format(self.en, self.zh)

    def html(self) -> str:
        """For a web page: both languages, escaped, one per line."""
        return "<br>".join(html.escape(part) for part in self.text().split("\n"))

    def __str__(self) -> str:
        return self.text()


class CourseError(Exception):
    """A problem the user can fix; the command prints its bilingual message (no traceback) and exits with 2."""

    def __init__(self, message: Message):
        super().__init__(message.text())
        self.message = message


# ---- command line -------------------------------------------------------------------------------
ERROR = Message("error: {message}", "错误：{message}")
INTERRUPTED = Message("interrupted", "已中断")
NOT_A_COURSE = Message(
    "{root} is not the course folder: it needs nbgrader_config.py and {path}. "
    "Pass --course PATH or run from the repository.",
    "{root} 不是课程目录：它需要 nbgrader_config.py 和 {path}。请用 --course PATH 指定，或在仓库目录中运行。",
)
NBGRADER_FAILED = Message(
    "nbgrader {command} failed (exit {code}):\n{log}", "nbgrader {command} 运行失败（退出码 {code}）：\n{log}"
)

# ---- command-line help (shown one line each: English / 中文) -----------------------------------
CLI_DESCRIPTION = Message(
    "Instructor tools of the gradient-checking course (nbgrader assignment '{assignment}').",
    "梯度检查课程的教师工具（nbgrader 作业 '{assignment}'）。",
)
HELP_COURSE = Message("the course folder (default: this repository)", "课程目录（默认：本仓库）")
CMD_DEMO = Message(
    "release, autograde the demo class, feedback, grades CSV, score table",
    "发布作业、自动评分示例班级、反馈、成绩 CSV、分数表",
)
CMD_GRADE = Message(
    "grade the whole class: parallel, isolated, resumable; feedback and reports",
    "为全班评分：并行、隔离、可续评；生成反馈和报告",
)
CMD_FIGURES = Message("draw the notebook's figures into {folder}", "将 notebook 的插图绘制到 {folder}")
CMD_SITE = Message(
    "build the self-learner site (student and worked editions) into site/", "生成自学网站（学生版与答案版）到 site/"
)
CMD_RELEASE = Message(
    "regenerate release/ from source/: both languages (default), or English or Chinese only",
    "由 source/ 重新生成 release/：中英双语（默认），或仅英文、仅中文",
)
HELP_RELEASE_LANG = Message(
    "the language of the student notebook's narrative: en (English only), zh (Chinese only) or both "
    "(default); the graded cells, grade ids and autograder are the same in every edition",
    "学生 notebook 叙述文字的语言：en（仅英文）、zh（仅中文）或 both（中英双语，默认）；"
    "各版本的计分单元格、grade id 和自动评分完全相同",
)
HELP_SITE_OUT = Message(
    "where to write the site (default: COURSE/site; replaced)", "网站的输出目录（默认：COURSE/site；会被替换）"
)
HELP_SITE_RECORD = Message(
    "first run the notebook on this machine and record the output of its timing cells (shown, labelled, in the "
    "worked edition; commit the file), then build the site",
    "先在本机运行 notebook，录制其计时单元格的输出（在答案版中加标注展示；请提交该文件），再生成网站",
)
HELP_SUBMITTED = Message(
    "nbgrader layout DIR/<student>/{path} (default: the course's submitted/)",
    "nbgrader 目录结构 DIR/<学生>/{path}（默认：课程的 submitted/）",
)
HELP_ZIP = Message("an LMS download: one notebook per student in a zip", "从教学平台下载的 zip：每名学生一个笔记本")
HELP_ID_PATTERN = Message(
    "with --zip: regular expression with a (?P<student>...) group matched against each file name "
    "(default: %(default)s)",
    "与 --zip 一起使用：含 (?P<student>...) 分组的正则表达式，用于匹配每个文件名（默认：%(default)s）",
)
HELP_DB = Message(
    "gradebook URL, e.g. postgresql://user@host/db (default: the course's gradebook.db)",
    "成绩册 URL，例如 postgresql://user@host/db（默认：课程的 gradebook.db）",
)
HELP_WORKERS = Message("parallel workers (default: number of CPUs + 1)", "并行进程数（默认：CPU 数 + 1）")
HELP_FORCE = Message("regrade submissions already graded", "重新评分已评分的提交")
HELP_TIMEOUT = Message(
    "wall-clock limit per submission (default: %(default)s)", "每份提交的时间上限（秒，默认：%(default)s）"
)
HELP_MEMORY = Message(
    "memory limit in MiB: each process's address space, and all of a submission's processes together "
    "(default: %(default)s)",
    "内存上限（MiB）：每个进程的地址空间，以及一份提交所有进程的合计（默认：%(default)s）",
)
HELP_DISK = Message(
    "writable space of each submission's kernel in MiB: its working folder and /tmp, half each (default: %(default)s)",
    "每份提交的内核可写空间（MiB）：工作文件夹和 /tmp 各占一半（默认：%(default)s）",
)
HELP_ALL_CELLS = Message(
    "also run the demonstration cells tagged skip-at-grading (slower; the scores are the same)",
    "也运行带 skip-at-grading 标签的演示单元格（更慢；分数相同）",
)
HELP_SCHEDULER = Message(
    "grade on a Dask cluster: the scheduler's address (tcp://HOST:8786), or local:N for a throw-away "
    "cluster of N worker processes on this machine (default: this machine's process pool)",
    "在 Dask 集群上评分：调度器地址（tcp://主机:8786），或 local:N 表示在本机临时启动 N 个工作进程的集群"
    "（默认：本机的进程池）",
)
HELP_NO_SANDBOX = Message(
    "run student code without isolation (when not root; only for trusted code)",
    "不隔离地运行学生代码（非 root 时；仅限可信代码）",
)

# ---- authoring: demo, figures -------------------------------------------------------------------
DEMO_STEP_RELEASE = Message(
    "1/6 release: nbgrader generate_assignment {assignment} --force",
    "1/6 发布：nbgrader generate_assignment {assignment} --force",
)
DEMO_STEP_SUBMISSIONS = Message("2/6 submissions: {students}", "2/6 提交：{students}")
DEMO_STEP_AUTOGRADE = Message(
    "3/6 autograde: nbgrader autograde {assignment} --force", "3/6 自动评分：nbgrader autograde {assignment} --force"
)
DEMO_STEP_FEEDBACK = Message(
    "4/6 feedback: bilingual, per exercise, without hidden test code -> feedback/",
    "4/6 反馈：双语、按练习、不含隐藏测试代码 -> feedback/",
)
DEMO_STEP_GRADES = Message(
    "5/6 grades: nbgrader export -> grades.csv (core score; bonus in its own columns)",
    "5/6 成绩：nbgrader export -> grades.csv（必做题得分；附加题单独成列）",
)
DEMO_STEP_SCORES = Message("6/6 scores:", "6/6 得分：")
EDITION_EN = Message("English only", "仅英文")
EDITION_ZH = Message("Chinese only", "仅中文")
EDITION_BOTH = Message("English and Chinese", "中英双语")
BAD_EDITION_LANGUAGE = Message(
    "unknown language {lang!r}: choose one of {choices} (en: English only, zh: Chinese only, both: English "
    "and Chinese, the default)",
    "未知的语言 {lang!r}：请从 {choices} 中选择（en：仅英文，zh：仅中文，both：中英双语，默认）",
)
RELEASE_DONE = Message(
    "released {assignment} ({edition}) to {folder}: {narrative} narrative cells, {graded} nbgrader cells "
    "(graded and locked cells, grade ids and checksums are the same in every edition)",
    "已将 {assignment}（{edition}）发布到 {folder}：{narrative} 个叙述单元格，{graded} 个 nbgrader 单元格"
    "（计分与锁定单元格、grade id 和校验和在各版本中相同）",
)
NO_GRADES_FOR = Message("no grades in the gradebook for {students}", "成绩册中没有以下学生的成绩：{students}")
WROTE = Message("wrote {path}", "已写入 {path}")

# ---- notebooks: reference solutions and patched copies ----------------------------------------
NO_SOLUTION_CELL = Message(
    "the master notebook has no solution cell with grade_id {names}",
    "主 notebook 中没有 grade_id 为 {names} 的解答单元格",
)
PATCH_NOT_ONCE = Message(
    "{where}: expected the text {old!r} exactly once, found it {count} times",
    "{where}：文本 {old!r} 应恰好出现一次，实际出现 {count} 次",
)
NO_SUCH_EXERCISE = Message("no exercise named {names}", "没有名为 {names} 的练习")

# ---- batch grading: inputs ----------------------------------------------------------------------
NOTEBOOK_TOO_LARGE = Message("the notebook is larger than {mb} MB", "笔记本超过 {mb} MB")
NOT_NOTEBOOK_JSON = Message(
    "the notebook is not valid notebook JSON ({error})", "该笔记本不是有效的 notebook JSON（{error}）"
)
JSON_NOT_NOTEBOOK = Message(
    "the file is JSON but not a notebook ({error})", "该文件是 JSON，但不是 notebook（{error}）"
)
BAD_STUDENT_ID = Message(
    "{name!r} is not a valid student id (letters, digits, '.', '_', '-'; starting with a letter or digit)",
    "{name!r} 不是有效的学生编号（字母、数字、'.'、'_'、'-'，以字母或数字开头）",
)
NO_NOTEBOOK = Message("no notebook: expected {path}", "缺少笔记本：应为 {path}")
NOT_A_ZIP = Message("{path} is not a zip file", "{path} 不是 zip 文件")
ZIP_WITHOUT_NOTEBOOK = Message("{path} holds no notebook (.ipynb)", "{path} 中没有笔记本（.ipynb）")
NO_ID_IN_NAME = Message(
    "cannot tell the student id from the file name (expected the pattern {pattern})",
    "无法从文件名识别学生编号（应符合模式 {pattern}）",
)
SEVERAL_NOTEBOOKS = Message("{count} notebooks for one student: {names}", "同一名学生有 {count} 个笔记本：{names}")
NOT_FOLDER_OR_ZIP = Message(
    "{path} is neither a submitted/ folder nor a .zip file", "{path} 既不是 submitted/ 文件夹，也不是 .zip 文件"
)

# ---- batch grading: inputs that are read without following links (course/batch/inputs.py) -------
# What a path of a submission is meant to be (the {what} of the messages below) ...
STUDENT_FOLDER = Message("student folder", "学生文件夹")
ASSIGNMENT_FOLDER = Message("assignment folder", "作业文件夹")
NOTEBOOK_ITSELF = Message("notebook", "笔记本")
TIMESTAMP_ITSELF = Message("timestamp file", "时间戳文件")
# ... and what it turned out to be (the {kind} and {expected} of the messages below).
KIND_LINK = Message("a symbolic link", "符号链接")
KIND_FOLDER = Message("a folder", "文件夹")
KIND_FILE = Message("a regular file", "普通文件")
KIND_FIFO = Message("a named pipe (FIFO)", "命名管道（FIFO）")
KIND_DEVICE = Message("a device file", "设备文件")
KIND_SOCKET = Message("a socket", "套接字")
KIND_OTHER = Message("a special file", "特殊文件")
SUBMISSION_IS_LINK = Message(
    "{path} is a symbolic link; submissions are read without following links: put the {what} itself there",
    "{path} 是符号链接；读取提交时不会跟随链接：请在此处放入{what}本身",
)
SUBMISSION_WRONG_TYPE = Message(
    "{path} is {kind}, not {expected}: put the {what} itself there",
    "{path} 是{kind}，不是{expected}：请在此处放入{what}本身",
)
SUBMISSION_HARD_LINK = Message(
    "{path} is a hard link (one file with {count} names); submissions are read only from files of their own: "
    "put a copy of the {what} there",
    "{path} 是硬链接（同一文件有 {count} 个名称）；提交只从独立的文件中读取：请在此处放入{what}的副本",
)
SUBMISSION_UNREADABLE = Message("{path} cannot be read ({error})", "无法读取 {path}（{error}）")
TIMESTAMP_TOO_LONG = Message(
    "{path} is longer than {limit} bytes; nbgrader writes only a date and time there",
    "{path} 超过 {limit} 字节；nbgrader 只会在其中写入日期和时间",
)
ZIP_MEMBER_WRONG_TYPE = Message(
    "zip member {name} is {kind}, not a regular file: put the notebook itself in the zip",
    "zip 中的 {name} 是{kind}，不是普通文件：请把笔记本本身放入 zip",
)
NAME_ABSOLUTE = Message("an absolute path", "绝对路径")
NAME_PARENT = Message("a '..' part", "含有 '..' 路径段")
NAME_CONTROL = Message("a control character", "含有控制字符")
NAME_TOO_LONG = Message(
    "longer than {part} bytes in one part or {total} bytes in all", "某一段超过 {part} 字节，或总长超过 {total} 字节"
)
ZIP_MEMBER_BAD_NAME = Message(
    "zip member {name} has an unsafe name ({reason}): rename it, e.g. <student>.ipynb, and make the zip again",
    "zip 中的 {name} 名称不安全（{reason}）：请重命名（例如 <学生编号>.ipynb）后重新打包 zip",
)
ZIP_MEMBER_UNREADABLE = Message("zip member {name} cannot be read ({error})", "无法读取 zip 中的 {name}（{error}）")

# ---- batch grading: the run ---------------------------------------------------------------------
SANDBOX_NEEDS_ROOT = Message(
    "isolating submissions needs root (a fresh unprivileged user and a cgroup per submission, then "
    "bubblewrap); run as root, or pass --no-sandbox to grade without isolation (only for code you trust)",
    "隔离提交需要 root 权限（每份提交使用一个新的非特权用户和一个 cgroup，再由 bubblewrap 隔离）；"
    "请以 root 运行，或使用 --no-sandbox 在不隔离的情况下评分（仅限可信代码）",
)
SANDBOX_NEEDS_BWRAP = Message(
    "isolating submissions needs bubblewrap (the bwrap command): install it (./dev setup does, or "
    "apt-get install bubblewrap), or pass --no-sandbox to grade without isolation (only for code you trust)",
    "隔离提交需要 bubblewrap（bwrap 命令）：请安装它（./dev setup 会安装，或运行 apt-get install bubblewrap），"
    "或使用 --no-sandbox 在不隔离的情况下评分（仅限可信代码）",
)
NOT_ISOLATED_WARNING = Message(
    "WARNING: {count} submission(s) were graded with --no-sandbox, without isolation: their code could read "
    "and change anything this user can (source/, the gradebook, other students' work). Grade again as root "
    "without --no-sandbox unless you trust that code: {students}",
    "警告：有 {count} 份提交使用 --no-sandbox 在未隔离的情况下评分：其代码可以读取和修改当前用户能访问的一切"
    "（source/、成绩库、其他学生的作业）。除非你信任这些代码，否则请以 root 身份、不带 --no-sandbox 重新评分：{students}",
)
NO_CGROUPS_WARNING = Message(
    "note: this machine offers no writable cgroup (v2 with the memory and pids controllers, or v1): memory and "
    "process count are limited per process only, not per submission",
    "注意：本机没有可写的 cgroup（带 memory 和 pids 控制器的 v2，或 v1）：内存和进程数只能按单个进程限制，"
    "无法按整份提交限制",
)
PROGRESS = Message("grading", "评分")
GRADING_INTERRUPTED = Message(
    "interrupted: run the same command again to grade the rest", "已中断：再次运行同一命令即可继续评分其余提交"
)
ALREADY_GRADED = Message(
    "already graded, skipped (use --force to regrade): {count}", "已评分，跳过（用 --force 重新评分）：{count}"
)
BATCH_SUMMARY = Message(
    "graded {graded}, skipped {skipped}, failed {failed}", "已评分 {graded}，跳过 {skipped}，失败 {failed}"
)
GRADING_TIMED_OUT = Message("grading took longer than {seconds} s and was stopped", "评分超过 {seconds} 秒，已被终止")
NBGRADER_COULD_NOT_GRADE = Message("nbgrader could not grade it: {errors}", "nbgrader 无法评分：{errors}")
WORKER_DIED = Message(
    "the grading worker died ({error}); run the command again", "评分进程意外退出（{error}）；请重新运行命令"
)
WORKER_KILLED_REPEATEDLY = Message(
    "its grading ended the worker process each of the {tries} times it was tried (the last on {worker}): a "
    "poison submission. It was stopped and the rest of the class graded; look at the notebook (the next run "
    "tries it again)",
    "评分它时，工作进程在全部 {tries} 次尝试中都意外终止（最后一次在 {worker}）：这是一份有毒的提交。"
    "已停止对它评分，班级其余提交均已评分；请检查该 notebook（下次运行会再试一次）",
)
ENGINE_LOCAL = Message(
    "graded on this machine: {workers} worker processes, {used} of which returned results",
    "在本机评分：{workers} 个工作进程，其中 {used} 个返回了结果",
)
ENGINE_LOCAL_CLUSTER = Message(
    "graded on a local Dask cluster of {workers} workers; {used} worker processes returned results",
    "在本机的 Dask 集群上评分（{workers} 个工作进程）；{used} 个工作进程返回了结果",
)
ENGINE_CLUSTER = Message(
    "graded on the Dask cluster at {address} ({workers} workers now); {used} worker processes returned results",
    "在 {address} 的 Dask 集群上评分（当前 {workers} 个工作进程）；{used} 个工作进程返回了结果",
)
SCHEDULER_INVALID = Message(
    "{value!r} is not a scheduler: give the Dask scheduler's address (tcp://HOST:8786) or local:N with N >= 1",
    "{value!r} 不是调度器：请给出 Dask 调度器的地址（tcp://主机:8786），或 local:N（N 至少为 1）",
)
CLUSTER_UNREACHABLE = Message(
    "no Dask scheduler answered at {address} within {seconds} s ({error}): start it with `dask scheduler` "
    'on that machine and check the address and port (see the README, "Grading on a cluster")',
    "{seconds} 秒内 {address} 没有 Dask 调度器响应（{error}）：请在那台机器上运行 `dask scheduler`，"
    "并检查地址和端口（见 README 中「在集群上评分」一节）",
)
CLUSTER_HAS_NO_WORKERS = Message(
    "the Dask scheduler at {address} has had no worker for {seconds} s: start workers with "
    '`dask worker {address} --nthreads 1` (see the README, "Grading on a cluster")',
    "{address} 的 Dask 调度器在 {seconds} 秒内没有任何工作进程：请用 `dask worker {address} --nthreads 1` "
    "启动工作进程（见 README 中「在集群上评分」一节）",
)
CLUSTER_REFUSED = Message(
    "these Dask workers may not grade this class: {workers}. Why: {reasons}. Nothing was graded on them; "
    "fix them or stop them, then run the command again",
    "以下 Dask 工作进程不能为本班评分：{workers}。原因：{reasons}。它们没有评任何提交；"
    "请修好或停止它们，然后重新运行命令",
)
WORKER_CODE_DIFFERS = Message(
    "they run other code than this machine (worker ≠ here: {differences}), and could give other scores; "
    "install the same commit of the course with ./dev setup on every worker",
    "它们运行的代码与本机不同（工作进程 ≠ 本机：{differences}），可能给出不同分数；"
    "请在每个工作进程的机器上用 ./dev setup 安装相同提交的课程",
)
WORKER_NEEDS_ROOT = Message(
    "they do not run as root, which the sandbox needs (a fresh user and a cgroup per submission); start "
    "`dask worker` as root, or pass --no-sandbox to grade without isolation (only for code you trust)",
    "它们不是以 root 运行，而沙箱需要 root（每份提交一个新用户和一个 cgroup）；请以 root 启动 `dask worker`，"
    "或使用 --no-sandbox 在不隔离的情况下评分（仅限可信代码）",
)
WORKER_NEEDS_BWRAP = Message(
    "their machine has no bubblewrap (the bwrap command), which the sandbox needs: install it there "
    "(./dev setup does, or apt-get install bubblewrap), or pass --no-sandbox (only for code you trust)",
    "它们所在的机器没有沙箱所需的 bubblewrap（bwrap 命令）：请在那里安装（./dev setup 会安装，"
    "或运行 apt-get install bubblewrap），或使用 --no-sandbox（仅限可信代码）",
)
WORKER_NO_CGROUPS = Message(
    "note: these Dask workers have no writable cgroup, so memory and process count are limited per process "
    "only, not per submission: {workers}",
    "注意：以下 Dask 工作进程没有可写的 cgroup，内存和进程数只能按单个进程限制，无法按整份提交限制：{workers}",
)
GRADEBOOK_ADDING_ASSIGNMENT = Message(
    "the gradebook has no assignment {assignment}: adding it from source/",
    "成绩册中没有作业 {assignment}：正在从 source/ 添加",
)
GRADEBOOK_ADD_FAILED = Message(
    "nbgrader generate_assignment ran, but the gradebook still has no assignment {assignment}",
    "nbgrader generate_assignment 已运行，但成绩册中仍没有作业 {assignment}",
)

# ---- results: reports and feedback --------------------------------------------------------------
SCORE_TABLE_CAPTION = Message(
    "Points per student and exercise (total: the core exercises; the bonus apart)",
    "每名学生各练习的得分（total：必做练习总分；附加题 bonus 单独计分）",
)
PASS_RATE = Message("pass rate", "通过率")
REPORTS_IN = Message("reports", "报告")
HISTOGRAM_X = Message("total score", "总分")
HISTOGRAM_Y = Message("students", "学生数")
HISTOGRAM_TITLE = Message("Gradient checking: {count} students", "梯度检验：{count} 名学生")
FEEDBACK_TITLE = Message("Gradient checking: feedback", "梯度检查：反馈")
FEEDBACK_STUDENT = Message("Student", "学生")
FEEDBACK_TOTAL = Message("Total of the core exercises", "必做练习总分")
FEEDBACK_EXERCISE = Message("Exercise", "练习")
FEEDBACK_POINTS = Message("Points", "得分")
FEEDBACK_RESULT = Message("Result", "结果")
FEEDBACK_MESSAGE = Message("Message", "说明")
BONUS = Message("bonus", "附加题")
PASSED = Message("passed", "通过")
FAILED = Message("failed", "未通过")
HIDDEN_FAILED = Message(
    "Your code passed the public test but not the hidden tests, which try other inputs and cases. "
    "Re-read the instructions of this exercise and test your function on inputs of your own.",
    "你的代码通过了公开测试，但没有通过隐藏测试（隐藏测试会使用其他输入和情形）。请重读本练习的说明，并用你自己设计的输入测试函数。",
)
NO_MESSAGE = Message("The test did not run to the end (no message).", "测试未能运行完毕（没有信息）。")

# ---- hidden tests: the sentence a student reads on the feedback page when a hidden check fails -----------
# (raised with ``course.oracle.expect``; each names the mistake and its fix, never the test's inputs)
HIDDEN_FORWARD = Message(
    "forward_propagation returned a wrong value, or not a single number, for inputs the public test does not "
    "try (zero, negative, large and small numbers, NumPy numbers): J is theta times x, computed from the "
    "arguments.",
    "对于公开测试没有用到的输入（零、负数、很大和很小的数、NumPy 数），forward_propagation 返回了错误的值或不是单个数："
    "J 等于 theta 乘以 x，须由参数计算。",
)
HIDDEN_BACKWARD = Message(
    "backward_propagation returned a wrong value, or not a single number, for inputs the public test does not "
    "try: the derivative is x itself, whatever theta is (do not divide by theta).",
    "对于公开测试没有用到的输入，backward_propagation 返回了错误的值或不是单个数：无论 theta 取何值，导数都是 x 本身"
    "（不要除以 theta）。",
)
HIDDEN_CHECK_COURSE_INPUT = Message(
    "gradient_check(2, 4) did not return the difference of the course's example (with known-good "
    "forward_propagation and backward_propagation): see the message of the public test.",
    "gradient_check(2, 4) 没有返回课程示例的差异（使用已知正确的 forward_propagation 和 backward_propagation）："
    "请查看公开测试的信息。",
)
HIDDEN_CHECK_NUMBER = Message(
    "gradient_check must return the difference as one float64 number (not a bool, an array or a float32).",
    "gradient_check 必须把差异作为一个 float64 数返回（不是布尔值、数组或 float32）。",
)
HIDDEN_CHECK_TRUE_DERIVATIVE = Message(
    "gradient_check returned a wrong difference when forward_propagation and backward_propagation were replaced "
    "by another function and its true derivative, on other inputs and epsilons: it must call "
    "forward_propagation(x, theta + epsilon) and forward_propagation(x, theta - epsilon), divide by 2 * epsilon "
    "with the epsilon argument, and use backward_propagation(x, theta) as grad.",
    "把 forward_propagation 和 backward_propagation 替换为另一个函数及其真实导数，并使用其他输入和 epsilon 时，"
    "gradient_check 返回了错误的差异：它必须调用 forward_propagation(x, theta + epsilon) 和 "
    "forward_propagation(x, theta - epsilon)，用参数 epsilon 除以 2 * epsilon，并把 backward_propagation(x, theta) 作为 grad。",
)
HIDDEN_CHECK_DEFAULT_EPSILON = Message(
    "With the default epsilon, gradient_check must pass a correct backward_propagation (of another function).",
    "在默认 epsilon 下，gradient_check 必须让正确的 backward_propagation（另一个函数的）通过检查。",
)
HIDDEN_CHECK_WRONG_DERIVATIVE = Message(
    "gradient_check returned a wrong difference for a wrong backward_propagation (a wrong factor, or the wrong "
    "sign): does it call backward_propagation(x, theta), and take the norm of grad - gradapprox in formula (2)?",
    "对于错误的 backward_propagation（系数错误或符号错误），gradient_check 返回了错误的差异：它是否调用了 "
    "backward_propagation(x, theta)，并在公式 (2) 中对 grad - gradapprox 取范数？",
)
HIDDEN_CHECK_NOT_FLAGGED = Message(
    "gradient_check did not flag a wrong backward_propagation: does it call backward_propagation(x, theta)?",
    "gradient_check 没有发现错误的 backward_propagation：它是否调用了 backward_propagation(x, theta)？",
)
HIDDEN_CHECK_N_MODIFIED = Message(
    "gradient_check_n changed its argument {argument}: work on copies (np.copy of parameters_values).",
    "gradient_check_n 修改了它的参数 {argument}：请在副本上操作（对 parameters_values 使用 np.copy）。",
)
HIDDEN_CHECK_N_NUMBER = Message(
    "gradient_check_n must return the difference as one float64 number (not a bool, an array or a float32).",
    "gradient_check_n 必须把差异作为一个 float64 数返回（不是布尔值、数组或 float32）。",
)
HIDDEN_CHECK_N_COURSE_INPUT = Message(
    "gradient_check_n did not return the difference of the notebook's example when forward_propagation_n was "
    "replaced by a known-good copy: it must get every cost by calling forward_propagation_n with its arguments.",
    "把 forward_propagation_n 替换为已知正确的副本后，gradient_check_n 没有返回 notebook 示例的差异："
    "它必须用自己的参数调用 forward_propagation_n 得到每个代价。",
)
HIDDEN_CHECK_N_CORRECT_PASSES = Message(
    "With a correct backprop, gradient_check_n must return a difference below the threshold 2e-7.",
    "反向传播正确时，gradient_check_n 返回的差异必须低于阈值 2e-7。",
)
HIDDEN_CHECK_N_EPSILON = Message(
    "gradient_check_n returned a wrong difference for another epsilon: use the epsilon argument in "
    "theta_plus[i], theta_minus[i] and 2 * epsilon.",
    "对于另一个 epsilon，gradient_check_n 返回了错误的差异：请在 theta_plus[i]、theta_minus[i] 和 2 * epsilon 中使用参数 epsilon。",
)
HIDDEN_CHECK_N_NEW_INPUTS = Message(
    "gradient_check_n returned a wrong difference on new inputs (other X, Y and parameters) with wrong backprops: "
    "use its arguments parameters, gradients, X and Y (not the notebook's variables), call forward_propagation_n, "
    "and compute formula (3) with 2-norms of grad - gradapprox.",
    "在新的输入（其他 X、Y 和参数）和错误的反向传播上，gradient_check_n 返回了错误的差异：请使用它的参数 parameters、"
    "gradients、X 和 Y（而不是 notebook 中的变量），调用 forward_propagation_n，并用 grad - gradapprox 的 2-范数计算公式 (3)。",
)
HIDDEN_BONUS_NOT_ATTEMPTED = Message(
    "The bonus exercise was not attempted (it is optional): 0 bonus points.",
    "附加题未作答（选做）：附加分 0 分。",
)
HIDDEN_BONUS_NEW_INPUTS = Message(
    "backward_propagation_n_fixed does not pass gradient checking on other inputs (other X, Y and parameters): "
    "it must compute every gradient from its arguments X, Y and cache, with both planted bugs fixed.",
    "在其他输入（其他 X、Y 和参数）上，backward_propagation_n_fixed 没有通过梯度检查："
    "它必须只用参数 X、Y 和 cache 计算每个梯度，并改正两个故意埋下的错误。",
)

# ---- the self-learner site ----------------------------------------------------------------------
SITE_STUDENT_EDITION = Message("student edition", "学生版")
SITE_WORKED_EDITION = Message("worked edition (executing the master notebook)", "答案版（正在执行主 notebook）")
SITE_WRITTEN = Message("site written to {path}", "网站已写入 {path}")
WORKED_EDITION_FAILS = Message(
    "the worked edition must run without errors; failing cells: {failures}",
    "答案版必须能无错误地运行；出错的单元格：{failures}",
)
RELEASE_INCOMPLETE = Message(
    "release/{assignment}/ lacks {names}: run `python -m course demo` first",
    "release/{assignment}/ 缺少 {names}：请先运行 `python -m course demo`",
)
RELEASE_ONE_LANGUAGE = Message(
    "release/{assignment}/ holds the {lang}-only edition; the site's download is the bilingual one: run "
    "`python -m course release` (the default, both languages), then build the site again",
    "release/{assignment}/ 中是只有 {lang} 的版本，而网站提供下载的是双语版：请先运行 `python -m course release`"
    "（默认生成双语版），再重新构建网站",
)
NOT_A_SOURCE_FILE = Message(
    "the notebook references {relative!r}, which is not a file inside source/{assignment}/",
    "notebook 引用了 {relative!r}，它不是 source/{assignment}/ 中的文件",
)
KATEX_FAILED = Message("KaTeX cannot render {tex!r}: {error}", "KaTeX 无法渲染 {tex!r}：{error}")
IMAGE_NOT_RELATIVE = Message(
    "image {src!r} is not a relative path: the site must work offline", "图片 {src!r} 不是相对路径：网站必须能离线使用"
)
BAD_CELL_LANGUAGE = Message(
    "cell {cell}: metadata.lang must be one of {languages}, not {lang!r}",
    "单元格 {cell}：metadata.lang 必须是 {languages} 之一，而不是 {lang!r}",
)
RUN_NOT_RECORDED = Message(
    "the worked edition shows a recorded run of cell {cell} (tagged '{tag}'), but {path} holds no run of its "
    "current code: record one with `python -m course site --record-timing`, then commit that file",
    "答案版展示单元格 {cell}（标签 '{tag}'）的一次录制运行，但 {path} 中没有其当前代码的运行记录："
    "请运行 `python -m course site --record-timing` 录制，然后提交该文件",
)
RUN_RECORDED = Message("recorded run of cells {cells} written to {path}", "单元格 {cells} 的录制运行已写入 {path}")

# ---- notes the grader writes into a graded notebook (shown inline, as an error value) ----------
KERNEL_NOT_RESTARTED = Message("The kernel died too often; this cell was not run.", "内核多次崩溃，此单元格未被运行。")
KERNEL_DIED = Message(
    "The kernel died while running this cell (e.g. os._exit(), exit() or a crash); it was restarted for the next cells.",
    "运行此单元格时内核崩溃（例如 os._exit()、exit() 或程序崩溃）；已为后续单元格重启内核。",
)
KERNEL_OUT_OF_MEMORY = Message(
    "The kernel went over the memory limit of this submission (all its processes together) while running this "
    "cell and was stopped; it was restarted for the next cells. Use less memory (no huge arrays, no processes "
    "left running).",
    "运行此单元格时，内核超出了本次提交的内存上限（其所有进程合计），已被终止；已为后续单元格重启内核。"
    "请减少内存使用（不要创建巨大的数组，也不要留下仍在运行的进程）。",
)
CELL_TIMED_OUT = Message(
    "This cell ran longer than {seconds} s and could not be interrupted; the kernel was restarted for the next cells.",
    "此单元格运行超过 {seconds} 秒且无法中断；已为后续单元格重启内核。",
)

# ---- a graded call of the student's function (course/oracle/): shown in the test cell's error ------
HELPER_REFUSED = Message(
    "{name} would do part of this exercise for you, so it is switched off while the exercise is graded: "
    "write that part yourself.",
    "{name} 会替你完成本练习的一部分，因此评分时它被停用：请自己编写这部分代码。",
)
ORACLE_UNSUPPORTED_VALUE = Message(
    "{function} returned something the grader does not accept ({detail}, at {where}). Return plain numbers, "
    "NumPy arrays or NumPy numbers, or lists, tuples and dicts of them.",
    "{function} 返回了评分程序不接受的值（{detail}，位置 {where}）。请返回普通数字、NumPy 数组或 NumPy 数值，"
    "或由它们组成的列表、元组和字典。",
)
ORACLE_MALFORMED_ANSWER = Message(
    "The kernel's answer for {function} could not be read ({detail}); nothing of it was used.",
    "无法读取内核对 {function} 的回答（{detail}）；该回答未被采用。",
)
ORACLE_TIMED_OUT = Message(
    "{function} did not finish within this test's time limit.", "{function} 未能在本测试的时间限制内完成。"
)
ORACLE_KERNEL_DIED = Message(
    "The kernel died while running {function} (e.g. os._exit(), exit() or a crash); it is restarted for the "
    "next cells.",
    "运行 {function} 时内核崩溃（例如 os._exit()、exit() 或程序崩溃）；将为后续单元格重启内核。",
)
ORACLE_OUT_OF_MEMORY = Message(
    "While running {function}, the kernel went over the memory limit of this submission (all its processes "
    "together) and was stopped; it is restarted for the next cells. Use less memory (no huge arrays, no "
    "processes left running).",
    "运行 {function} 时，内核超出了本次提交的内存上限（其所有进程合计），已被终止；将为后续单元格重启内核。"
    "请减少内存使用（不要创建巨大的数组，也不要留下仍在运行的进程）。",
)
ORACLE_NO_ANSWER = Message(
    "The kernel gave no answer for {function}: code in the notebook kept the grader's call from running.",
    "内核没有给出 {function} 的结果：notebook 中的代码阻止了评分程序的调用。",
)
ORACLE_SEVERAL_ANSWERS = Message(
    "The kernel gave more than one answer for {function}; none was used.",
    "内核对 {function} 给出了多个结果；均未被采用。",
)
ORACLE_TOO_LARGE = Message(
    "The answer for {function} is larger than the grader accepts.", "{function} 的结果超出了评分程序接受的大小。"
)
TRUSTED_GRADER_FAILED = Message(
    "The trusted grader could not run this test cell: {detail}", "可信评分进程无法运行此测试单元格：{detail}"
)


def listing(items: Iterable[str]) -> Message:
    """A list of names in each language's way: ``a, b`` / ``a、b``."""
    return Message(", ".join(items), "、".join(items))


def catalogue() -> dict:
    """``{name: Message}`` of every message defined in this module (for the bilingual test)."""
    return {name: value for name, value in globals().items() if isinstance(value, Message)}


# Demonstration cells left out at grading (course/nbgrader_ext/skipped_cells.py).
SKIPPED_AT_GRADING = Message(
    "Not run at grading: a demonstration that earns no points (tag {tag}). Run it yourself in JupyterLab.",
    "评分时未运行：这是不计分的演示单元格（标签 {tag}）。可在 JupyterLab 中自行运行。",
)
SKIPPED_CELL_NEEDED = Message(
    "{tagged} is tagged {tag}, but {reader} reads '{name}', which the tagged cell sets: it would see a "
    "different value at grading. Remove the tag from the first cell, or set '{name}' in a cell that runs.",
    "{tagged} 带有标签 {tag}，但 {reader} 读取了该单元格设置的 '{name}'：评分时它会看到不同的值。"
    "请去掉第一个单元格的标签，或在会运行的单元格中设置 '{name}'。",
)
FEEDBACK_NOT_RUN = Message(
    "Demonstration cells (no points) not run at grading, in the sections: {sections}",
    "评分时未运行的演示单元格（不计分）位于以下部分：{sections}",
)
