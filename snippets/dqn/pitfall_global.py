"""The original lesson declared `global epsilon` after using it: Python refuses to compile."""

lesson = """
epsilon = 1.0

def act(q_values):
    if random.random() < epsilon:
        return random.randrange(2)
    global epsilon
    epsilon *= 0.995
    return q_values.argmax()
"""
compile(lesson, "lesson.py", "exec")  # SyntaxError: name 'epsilon' is used prior to global
