"""nbgrader settings of the gradient-checking course: only what differs from nbgrader's defaults."""
import os

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

# The course lives next to this file, whatever the working directory.
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "gradient_checking_course"

# What an untouched exercise raises, in both languages.
c.ClearSolutions.code_stub = {
    "python": 'raise NotImplementedError("Exercise not done yet: write your code here, then delete this line. '
              '/ 练习尚未完成：请在此处编写代码，然后删除这一行。")'
}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE / 在此处作答"

# A student who deletes a locked test cell does not escape it: autograde puts it back.
c.OverwriteCells.add_missing_cells = True

# Feedback handed back to students must not show the hidden tests' code.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
