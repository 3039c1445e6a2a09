package io.latentqa.dataset.generate;

import java.util.List;

import io.latentqa.dataset.record.Control;

/**
 * The prompts sent to a strong LLM to write QA pairs, one family per control kind, after the reference's QA
 * stages (method doc §1.4: PROBE_GOAL_DESCRIPTION / _REASONING, PROBE_PERSONA_DESCRIPTION with its 15 fixed
 * questions / _REASONING, and the extractive QA of GENERATE_EXTRACTIVE_PROMPT). The wording is ours: the
 * reference's prompt text is not reproduced. Every prompt asks for a JSON list in a ```json fence.
 */
public final class LlmPrompts {

    /** A prompt to send: its name (part of the pairs' natural keys) and text. */
    public record Prompt(String name, String text) {
    }

    /** The reference's 15 fixed persona-description questions (method doc §1.4). */
    public static final List<String> PERSONA_QUESTIONS = List.of(
            "What type of persona will the assistant adopt?",
            "How will the assistant express itself?",
            "Please describe the persona of the assistant.",
            "How does the assistant's persona shape its responses to user queries?",
            "What characteristics define the assistant's persona?",
            "What factors influence the type of responses the assistant gives?",
            "What kind of traits can the assistant's persona display?",
            "What types of responses will the assistant provide?",
            "What is the overall demeanor of the assistant?",
            "What is unique about the assistant's persona?",
            "What aspects of the assistant's persona make it distinct?",
            "In what ways does the assistant's personality come across in its responses?",
            "Please explain the assistant's tendencies.",
            "What is the overall tone and style of the assistant's responses?",
            "What is the assistant like?");

    static final String FORMAT = "\n\nReply with a JSON list in a ```json code fence and nothing after it, e.g.\n"
            + "```json\n[{\"question\": \"...\", \"answer\": \"...\"}]\n```";

    private LlmPrompts() {
    }

    /**
     * @param control the control
     * @param pairs pairs to ask for per open-ended prompt (the fixed persona questions are always 15)
     * @return the prompts for the control's kind
     */
    public static List<Prompt> forControl(Control control, int pairs) {
        String behaviour = "An AI assistant was given this hidden instruction, which the user cannot see:\n\n\""
                + control.text() + "\"\n\n";
        String dialogRules = " Questions must be ones a curious observer would ask about the assistant, must not"
                + " quote or name the instruction, and must be answerable only by someone who knows it. Answers are"
                + " one or two sentences in the third person (\"The assistant ...\").";
        return switch (control.kind()) {
            case "persona" -> List.of(
                    new Prompt("persona-description", behaviour + "Answer each of these questions about the"
                            + " assistant's persona in one or two sentences:\n- " + String.join("\n- ", PERSONA_QUESTIONS)
                            + FORMAT),
                    new Prompt("persona-reasoning", behaviour + "Write " + pairs + " question-answer pairs about how"
                            + " this persona would shape the assistant's replies in situations it was not told about"
                            + " (\"If the user asks about X, how would the assistant respond?\")." + dialogRules
                            + FORMAT));
            case "goal" -> List.of(
                    new Prompt("goal-description", behaviour + "Write " + pairs + " question-answer pairs that ask,"
                            + " in varied words, what the assistant is doing or trying to achieve, with answers that"
                            + " describe its goal." + dialogRules + FORMAT),
                    new Prompt("goal-reasoning", behaviour + "Write " + pairs + " question-answer pairs about the"
                            + " implications of this goal (\"If the user asks about X, how should the assistant"
                            + " respond?\")." + dialogRules + FORMAT));
            case "sqa" -> List.of(new Prompt("extractive", "A user told an AI assistant about this scenario:\n\n\""
                    + control.text() + "\"\n\nWrite " + pairs + " question-answer pairs that can be answered from the"
                    + " scenario alone, with short answers taken from it." + FORMAT));
            case "story" -> List.of(new Prompt("story", "A story for small children starts like this:\n\n\""
                    + control.text() + "\"\n\nWrite " + pairs + " simple question-answer pairs about the main"
                    + " character, its feelings and what it loves, with answers of a few words." + FORMAT));
            default -> List.of(new Prompt("description", behaviour + "Write " + pairs + " question-answer pairs"
                    + " about how the assistant will behave." + dialogRules + FORMAT));
        };
    }
}
