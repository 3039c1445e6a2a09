package io.latentqa.steering.control;

/** Where a control job is. */
public enum ControlStatus { QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED }
